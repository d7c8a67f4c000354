// The Dockerfile and the compose recipe cannot be built or run here (no Docker), so this checks
// what can rot unnoticed: that the files they copy exist, the npm scripts and the entry point
// they run exist, the health check asks /ready, the image runs as a non-root user, and the
// compose file holds PostgreSQL, two app replicas and a proxy that checks /ready.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test/spawn-server.js';
import { loadConfig } from './config.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const dockerfile = read('Dockerfile');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };

describe('the Dockerfile', () => {
  it('has several stages, and copies only files that exist', () => {
    expect(instructions.filter((l) => l.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    const copies = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const sources = copy.split(/\s+/).slice(1, -1);
      for (const source of sources) expect(existsSync(join(REPO_ROOT, source)), `${copy}: ${source}`).toBe(true);
    }
  });

  it('runs npm scripts that package.json has, and an entry point that exists with tsx as a production dependency', () => {
    const scripts = [...dockerfile.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(packageJson.scripts, script).toHaveProperty(script);
    const cmd = instructions.find((l) => l.startsWith('CMD '))!;
    const entry = (JSON.parse(cmd.slice(4)) as string[]).at(-1)!;
    expect(existsSync(join(REPO_ROOT, entry)), entry).toBe(true);
    expect(cmd).toContain('tsx');
    expect(packageJson.dependencies).toHaveProperty('tsx');
  });

  it('runs as a non-root user, checks health on /ready, and sets only settings the server knows', () => {
    const user = instructions.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER (root|0)\b/);
    expect(instructions.find((l) => l.startsWith('HEALTHCHECK '))).toContain('/ready');
    const env = instructions.find((l) => l.startsWith('ENV '))!;
    const settings = Object.fromEntries([...env.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
    const config = loadConfig({ ...settings, JWT_SECRET: 'x'.repeat(32) });
    expect(config).toMatchObject({ env: 'production', host: '0.0.0.0', port: 3000, dataDir: '/data' });
  });
});

describe('the compose recipe', () => {
  const compose = read('deploy/compose.yaml');
  const haproxy = read('deploy/haproxy.cfg');

  it('runs PostgreSQL, two replicas of the app built from the Dockerfile, and a proxy that sends traffic to ready replicas', () => {
    expect(compose).toMatch(/^ {2}db:\n {4}image: postgres:15/m);
    expect(compose).toMatch(/^ {2}app:\n {4}build:\n {6}context: \.\.\n {6}dockerfile: Dockerfile/m);
    expect(compose).toMatch(/replicas: 2/);
    expect(compose).toContain('./haproxy.cfg:');
    expect(haproxy).toContain('option httpchk GET /ready');
    expect(haproxy).toMatch(/server-template app 2 app:3000/);
  });

  it('gives the app settings the server knows, and Docker a stop timeout longer than the grace period', () => {
    const names = [...compose.matchAll(/^ {6}([A-Z_]+): /gm)].map((m) => m[1]!);
    const example = read('.env.example');
    for (const name of names.filter((n) => !n.startsWith('POSTGRES_'))) expect(example, name).toContain(`${name}=`);
    const grace = Number(/SHUTDOWN_GRACE_SECONDS: '(\d+)'/.exec(compose)![1]);
    const stop = Number(/stop_grace_period: (\d+)s/.exec(compose)![1]);
    expect(stop).toBeGreaterThan(grace);
  });
});
