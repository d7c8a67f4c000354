// The servers under test, all on 127.0.0.1, each in its own process: the fake upstream, the bare
// pass-through, Portkey (with its fetch shim) and our server, started as in production with
// every part on: PostgreSQL, auth, rate limits, reservations, metering, logging at info.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkServer, freePort, spawnServer, type Running } from './processes.js';
import type { Pacing } from './protocol.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Only what a process needs from the machine; nothing else of the caller's environment leaks in. */
const baseEnv = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? os.tmpdir() });

export const startUpstream = (pace: Pacing) => forkServer('fake upstream', './fake-upstream.ts', { BENCH_PACE: JSON.stringify(pace) });

export const startPassthrough = (upstreamPort: number) => forkServer('pass-through', './passthrough.ts', { BENCH_UPSTREAM_PORT: String(upstreamPort) });

export const PORTKEY_PRELOADS = ['bench/streams/portkey-fetch-shim.mjs', 'bench/streams/loopback-listen.mjs'];

export async function startPortkey(): Promise<Running> {
  const port = await freePort();
  const bin = path.join(repo, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  const preload = [here('./portkey-fetch-shim.mjs'), here('./loopback-listen.mjs')].flatMap((f) => ['--import', f]);
  return spawnServer('Portkey', [...preload, bin, `--port=${port}`, '--headless'], { port, env: { ...baseEnv(), NODE_ENV: 'production' }, readyPath: '/' });
}

/** Our server's settings for the benchmark: production mode, limits far above what the run uses (they are still checked on every call). */
export function oursEnv(databaseUrl: string, upstreamPort: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-streams-'));
  const tiers = path.join(dir, 'tiers.json');
  writeFileSync(tiers, JSON.stringify({ free: { monthlyTokens: 1_000_000_000, requestsPerMinute: 1_000_000, models: ['bench-model'] } }));
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DATA_DIR: dir,
    // No .env file of this working tree: the benchmark's settings only.
    DOTENV_CONFIG_PATH: path.join(dir, 'no.env'),
    JWT_SECRET: randomBytes(32).toString('hex'),
    // The run takes longer than the default 15 minutes of an access token.
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    OPENAI_COMPATIBLE_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
    OPENAI_COMPATIBLE_MODELS: 'bench-model',
    LOG_LEVEL: 'info',
    AUTH_RATE_LIMIT_PER_IP: '1000000',
    AUTH_RATE_LIMIT_PER_EMAIL: '1000000',
    TIER_LIMITS_FILE: tiers,
    WORKERS: '1',
  };
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();

/**
 * Where our server's code comes from: this working tree (others may be editing it: the commit is
 * then marked as having uncommitted changes), or with BENCH_SERVER_COMMIT=<rev> that commit's
 * server/ exported by `git archive` into a temporary folder (the working tree is not touched),
 * with this tree's node_modules.
 */
export function serverSource(): { dir: string; commit: string; remove(): void } {
  const rev = process.env.BENCH_SERVER_COMMIT;
  if (!rev) {
    try {
      const dirty = git('status', '--porcelain', '--', 'server');
      return { dir: repo, commit: `${git('log', '-1', '--format=%h')}${dirty ? ' (the working tree, with uncommitted changes in server/)' : ''}`, remove() {} };
    } catch {
      return { dir: repo, commit: 'unknown', remove() {} };
    }
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-streams-server-'));
  const tar = execFileSync('git', ['archive', '--format=tar', rev, 'server', 'package.json', 'tsconfig.json'], { cwd: repo, maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  const lastServerChange = git('log', '-1', '--format=%h', rev, '--', 'server');
  return {
    dir,
    commit: `${git('rev-parse', '--short', rev)} (server/ exported from it: as of ${lastServerChange})`,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function startOurs(env: Record<string, string>, dir: string): Promise<Running> {
  const port = await freePort();
  // BENCH_OURS_CPU_PROF=<dir>: a CPU profile of our server, written there when it stops.
  const profile = process.env.BENCH_OURS_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_OURS_CPU_PROF}`] : [];
  return spawnServer('our server', [...profile, '--import', 'tsx', 'server/src/main.ts'], {
    port,
    cwd: dir,
    env: { ...baseEnv(), ...env, PORT: String(port) },
    readyPath: '/health',
    stdoutFile: process.env.BENCH_OURS_LOG || undefined,
  });
}
