// The rate limiter's behaviour, the same wherever its counters live: the PostgreSQL table (on
// PGlite, and on a real PostgreSQL when there is one) and Redis (a real redis-server). Each limiter
// a test makes has its own connection to the shared counters, as one more server process would.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds } from '../../../test/databases.js';
import { redisTestsRun, startRedisServer } from '../../../test/redis-server.js';
import { AppError } from '../../lib/errors.js';
import type { Db } from '../db/db.js';
import { openPostgres } from '../db/postgres.js';
import { createRateLimiter, type RateLimiter, type RateLimitRule } from './rate-limits.service.js';
import { createRedisClient } from './redis-client.js';
import { createRedisRateLimiter } from './redis-rate-limiter.js';

interface Backend {
  limiter(now: () => Date): Promise<RateLimiter>;
  close(): Promise<void>;
}

async function openBackend(name: string): Promise<Backend> {
  if (name === 'redis') {
    const server = await startRedisServer();
    const clients: Redis[] = [];
    return {
      async limiter(now) {
        clients.push(createRedisClient(server.url));
        return createRedisRateLimiter(clients.at(-1)!, now);
      },
      async close() {
        for (const c of clients) c.disconnect();
        await server.stop();
      },
    };
  }
  const database = await createTestDatabase(name.endsWith('pglite') ? 'pglite' : 'postgres');
  const pools: Db[] = [];
  return {
    async limiter(now) {
      // PGlite lives inside this process, so its limiters share the one connection.
      if (!database.url) return createRateLimiter(database.db, now);
      pools.push(await openPostgres(database.url, { size: 10, timeoutMs: 5000 }));
      return createRateLimiter(pools.at(-1)!, now);
    },
    async close() {
      for (const p of pools) await p.close();
      await database.drop();
    },
  };
}

const backends = [...testDbKinds().map((kind) => `postgres-table on ${kind}`), ...(redisTestsRun() ? ['redis'] : [])];

/** 'allowed', or the code of the AppError the hit was refused with. */
const outcome = (limiter: RateLimiter, ...rules: RateLimitRule[]) =>
  limiter.hit(rules).then(
    () => 'allowed',
    (err: unknown) => (err instanceof AppError ? err.code : Promise.reject(err)),
  );

describe.each(backends)('rate limiter with counters in %s', (name) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend(name);
  });
  afterAll(() => backend?.close());

  const at = (iso: string) => () => new Date(iso);

  it('counts hits up to the limit, then refuses with 429 RATE_LIMITED and Retry-After', async () => {
    const limiter = await backend.limiter(at('2026-03-01T12:00:15Z'));
    const rule = { key: 'count', limit: 3, windowSeconds: 60 };
    for (let i = 0; i < 3; i++) await limiter.hit([rule]);
    const err = await limiter.hit([rule]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      headers: { 'retry-after': '45' },
      extra: { limit: 3, window_seconds: 60, retry_after: 45 },
    });
    expect(await outcome(limiter, rule)).toBe('RATE_LIMITED');
  });

  it('counts each key on its own', async () => {
    const limiter = await backend.limiter(at('2026-03-01T12:00:00Z'));
    const a = { key: 'own:a', limit: 1, windowSeconds: 60 };
    const b = { key: 'own:b', limit: 2, windowSeconds: 60 };
    expect([await outcome(limiter, a), await outcome(limiter, a)]).toEqual(['allowed', 'RATE_LIMITED']);
    expect([await outcome(limiter, b), await outcome(limiter, b), await outcome(limiter, b)]).toEqual(['allowed', 'allowed', 'RATE_LIMITED']);
    // Several rules in one hit (an IP and an email): the full one refuses.
    expect(await outcome(limiter, { key: 'own:c', limit: 5, windowSeconds: 60 }, a)).toBe('RATE_LIMITED');
  });

  it('starts each new window from zero', async () => {
    let clock = new Date('2026-03-01T12:00:59.900Z');
    const limiter = await backend.limiter(() => clock);
    const rule = { key: 'windows', limit: 2, windowSeconds: 60 };
    const three = async () => [await outcome(limiter, rule), await outcome(limiter, rule), await outcome(limiter, rule)];
    expect(await three()).toEqual(['allowed', 'allowed', 'RATE_LIMITED']);
    clock = new Date('2026-03-01T12:01:00.000Z');
    expect(await three()).toEqual(['allowed', 'allowed', 'RATE_LIMITED']);
  });

  it('lets exactly the limit through when 200 hits arrive at once from three processes', async () => {
    const now = at('2026-03-01T12:00:30Z');
    const limiters = await Promise.all([1, 2, 3].map(() => backend.limiter(now)));
    const rule = { key: 'burst', limit: 50, windowSeconds: 60 };
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => outcome(limiters[i % 3]!, rule)));
    expect(outcomes.filter((o) => o === 'allowed')).toHaveLength(50);
    expect(outcomes.filter((o) => o === 'RATE_LIMITED')).toHaveLength(150);
  });
});
