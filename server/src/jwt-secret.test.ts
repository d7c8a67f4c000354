import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, stopAllProcesses, tempDir } from '../test/spawn-server.js';
import { JWT_SECRET_FILE, resolveJwtSecret } from './jwt-secret.js';

describe('resolveJwtSecret', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('qc-jwt-');
  });
  afterEach(() => dir.remove());

  it('generates a 256-bit secret into DATA_DIR on first start, readable by the owner only', () => {
    const dataDir = join(dir.path, 'data', 'nested'); // created when missing
    const secret = resolveJwtSecret({ jwtSecret: undefined, dataDir });
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const file = join(dataDir, JWT_SECRET_FILE);
    expect(readFileSync(file, 'utf8').trim()).toBe(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir)).toEqual([JWT_SECRET_FILE]); // no temporary file left behind
  });

  it('reuses the stored secret on the next start', () => {
    const first = resolveJwtSecret({ jwtSecret: undefined, dataDir: dir.path });
    const second = resolveJwtSecret({ jwtSecret: undefined, dataDir: dir.path });
    expect(second).toBe(first);
  });

  it('gives each data folder its own secret', () => {
    const a = resolveJwtSecret({ jwtSecret: undefined, dataDir: join(dir.path, 'a') });
    const b = resolveJwtSecret({ jwtSecret: undefined, dataDir: join(dir.path, 'b') });
    expect(a).not.toBe(b);
  });

  it('lets an explicit JWT_SECRET win, without writing a file', () => {
    const explicit = 'an-explicit-secret-of-at-least-32-bytes!';
    expect(resolveJwtSecret({ jwtSecret: explicit, dataDir: dir.path })).toBe(explicit);
    expect(existsSync(join(dir.path, JWT_SECRET_FILE))).toBe(false);
    // ...also over a secret already stored in the data folder.
    const stored = resolveJwtSecret({ jwtSecret: undefined, dataDir: dir.path });
    expect(resolveJwtSecret({ jwtSecret: explicit, dataDir: dir.path })).toBe(explicit);
    expect(stored).not.toBe(explicit);
  });

  it('refuses a stored secret shorter than 256 bits rather than signing with it', () => {
    mkdirSync(dir.path, { recursive: true });
    writeFileSync(join(dir.path, JWT_SECRET_FILE), 'short\n', { mode: 0o600 });
    expect(() => resolveJwtSecret({ jwtSecret: undefined, dataDir: dir.path })).toThrow(/fewer than 256 bits/);
    expect(readFileSync(join(dir.path, JWT_SECRET_FILE), 'utf8')).toBe('short\n'); // left for the operator to look at
  });
});

describe('the real server across a restart', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('qc-jwt-restart-');
  });
  afterEach(() => dir.remove());
  afterAll(() => stopAllProcesses());

  it('accepts a token minted before the restart, from the secret it generated into DATA_DIR', async () => {
    const env = { DATA_DIR: join(dir.path, 'data'), NODE_ENV: 'development' };
    const credentials = { email: 'restart@example.com', password: 'survives a restart' };
    const post = (base: string, path: string, body: object) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const first = await startServer({ env, cwd: dir.path });
    expect((await post(first.url, '/api/auth/register', credentials)).status).toBe(201);
    const login = await post(first.url, '/api/auth/login', credentials);
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    const secretFile = join(dir.path, 'data', JWT_SECRET_FILE);
    const secret = readFileSync(secretFile, 'utf8');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect((await first.stop()).code).toBe(0);

    const second = await startServer({ env, cwd: dir.path });
    const me = await fetch(`${second.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: credentials.email });
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    expect((await second.stop()).code).toBe(0);
  }, 90_000);
});
