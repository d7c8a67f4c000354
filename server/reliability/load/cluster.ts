// What the load runs against: a private PostgreSQL (so it can be restarted), a redis-server of its
// own for the rate-limit counters, the fake upstream, and N real server processes (tsx
// server/src/main.ts) sharing both. Each server sits in a slot; a slot's process can be SIGKILLed
// and started again, and its generation counts the lives, so a client can tell a stream cut by a
// crash it was told about from one cut by a bug.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeUpstreamEnv } from '../../src/features/chat/chat.test-support.js';
import type { Db } from '../../src/platform/db/db.js';
import { openPostgres } from '../../src/platform/db/postgres.js';
import { startFakeUpstream, type FakeUpstream } from '../../test/fake-upstream.js';
import { startPrivatePostgres } from '../../test/private-postgres.js';
import { startRedisServer, type RedisServer } from '../../test/redis-server.js';
import { startServer, stopAllProcesses, tempDir, type ServerProcess } from '../../test/spawn-server.js';

export interface Slot {
  index: number;
  /** Undefined while the process is down. */
  server: ServerProcess | undefined;
  /** Lives so far: a request that started in one generation and ended in another saw a crash. */
  generation: number;
}

export interface Cluster {
  slots: Slot[];
  db: Db;
  upstream: FakeUpstream;
  /** The reaper's interval and a reservation's lifetime, as the servers were given them. */
  reaperIntervalMs: number;
  reservationTtlMs: number;
  /** Server processes that exited without being killed by the load: a crash the run must fail on. */
  deaths: string[];
  /** A running server, round-robin over the slots that are up. */
  pick(n: number): Slot | undefined;
  killAndRestart(index: number, downMs: number): Promise<void>;
  restartPostgres(): Promise<void>;
  stopRedis(): Promise<void>;
  startRedis(): Promise<void>;
  close(): Promise<void>;
}

/** Models with a small output cap, so that a user near the limit still gets many calls in. */
const MODELS_FILE = {
  models: [
    { id: 'gpt-small', provider: 'openai', provider_model: 'gpt-4o-mini', max_output_tokens: 80 },
    { id: 'claude-small', provider: 'anthropic', provider_model: 'claude-haiku-4-5', max_output_tokens: 80 },
  ],
};
// The fake upstream's models twice as often as the demo, whose large output cap takes a near-limit user's whole rest.
export const LOAD_MODELS = ['gpt-small', 'claude-small', 'gpt-small', 'claude-small', 'demo'] as const;

export async function startCluster({ processes, env = {} }: { processes: number; env?: Record<string, string> }): Promise<Cluster> {
  const dir = tempDir('qc-load-');
  const pg = await startPrivatePostgres();
  let redis: (RedisServer & { port: number }) | undefined = await startRedisServer();
  const redisPort = redis.port;
  const upstream = await startFakeUpstream();
  writeFileSync(join(dir.path, 'models.json'), JSON.stringify(MODELS_FILE));
  const slots: Slot[] = [];
  const reaperIntervalMs = 1000;
  const reservationTtlMs = 10_000;
  const serverEnv = {
    DATABASE_URL: pg.url,
    DATABASE_POOL_SIZE: '8',
    DATA_DIR: dir.path,
    REDIS_URL: redis.url,
    JWT_SECRET: 'a-secret-shared-by-every-load-server-process!',
    ...fakeUpstreamEnv(upstream),
    OPENAI_MODELS: '',
    ANTHROPIC_MODELS: '',
    OPENAI_COMPATIBLE_BASE_URL: '',
    OPENAI_COMPATIBLE_MODELS: '',
    MODELS_FILE: join(dir.path, 'models.json'),
    DEMO_TOKEN_DELAY_MS: '10',
    // A stalled upstream is given up on quickly, well inside a reservation's lifetime.
    UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '1500',
    UPSTREAM_IDLE_TIMEOUT_MS: '800',
    RESERVATION_TTL_SECONDS: String(reservationTtlMs / 1000),
    REAPER_INTERVAL_SECONDS: String(reaperIntervalMs / 1000),
    AUTH_RATE_LIMIT_PER_IP: '100000',
    AUTH_RATE_LIMIT_PER_EMAIL: '100000',
    TIER_STARTER_REQUESTS_PER_MINUTE: '100000',
    ...env,
  };
  const deaths: string[] = [];
  const start = async () => {
    const server = await startServer({ env: serverEnv, cwd: dir.path });
    void server.exited.then((out) => {
      const slot = slots.find((s) => s.server === server);
      if (!slot) return; // killed by the load, or stopped at the end
      slot.server = undefined;
      slot.generation += 1;
      const tail = (text: string) => text.split('\n').slice(-15).join('\n');
      deaths.push(`server #${slot.index} exited by itself (${out.code ?? out.signal}):\n${tail(out.stderr)}\n${tail(out.stdout)}`);
    });
    return server;
  };
  // Started together: the migration lock lets one migrate while the others wait.
  const servers = await Promise.all(Array.from({ length: processes }, start));
  slots.push(...servers.map((server, index) => ({ index, server, generation: 1 })));
  const db = await openPostgres(pg.url, { size: 4, timeoutMs: 10_000 }, { onError: () => {} });

  return {
    slots,
    deaths,
    db,
    upstream,
    reaperIntervalMs,
    reservationTtlMs,
    pick(n) {
      const up = slots.filter((s) => s.server);
      return up.length ? up[n % up.length] : undefined;
    },
    async killAndRestart(index, downMs) {
      const slot = slots[index]!;
      const server = slot.server;
      slot.server = undefined;
      slot.generation += 1;
      await server?.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, downMs));
      slot.server = await start();
    },
    restartPostgres: () => pg.restartInBackground({ immediate: true }),
    async stopRedis() {
      await redis?.stop();
      redis = undefined;
    },
    async startRedis() {
      redis ??= await startRedisServer({ port: redisPort });
    },
    async close() {
      slots.forEach((s) => (s.server = undefined));
      await stopAllProcesses();
      await db.close().catch(() => {});
      await upstream.close();
      await redis?.stop();
      pg.stop();
      pg.remove();
      dir.remove();
    },
  };
}
