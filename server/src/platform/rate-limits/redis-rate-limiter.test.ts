// What only the Redis limiter has: namespaced keys that expire with their window, and an answer
// within a bounded time when Redis is down or hangs (it refuses; it never waits or lets through).
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, redisTestsRun, silentServer, startRedisServer, type RedisServer } from '../../../test/redis-server.js';
import { AppError } from '../../lib/errors.js';
import type { RateLimiter } from './rate-limits.service.js';
import { createRedisClient } from './redis-client.js';
import { createRedisRateLimiter, redisRateLimitKey } from './redis-rate-limiter.js';

const clock = new Date('2026-03-01T12:00:15Z');
const rule = { key: 'login:email:a@example.com', limit: 5, windowSeconds: 60 };
const clients: Redis[] = [];
const client = (url: string) => {
  clients.push(createRedisClient(url));
  return clients.at(-1)!;
};
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

describe.runIf(redisTestsRun())('Redis rate limiter keys', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());

  it('counts under qc:rl:<key>:<window start>, expiring once the window is over', async () => {
    const redis = client(server.url);
    const limiter = createRedisRateLimiter(redis, () => clock);
    await limiter.hit([rule]);
    await limiter.hit([rule]);
    const key = 'qc:rl:login:email:a@example.com:' + Date.parse('2026-03-01T12:00:00Z');
    expect(redisRateLimitKey(rule.key, new Date('2026-03-01T12:00:00Z'))).toBe(key);
    expect(await redis.get(key)).toBe('2');
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});

describe('Redis rate limiter when Redis does not answer', () => {
  async function expectRefusedQuickly(limiter: RateLimiter) {
    const started = Date.now();
    const err = await limiter.hit([rule]).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'RATE_LIMITER_UNAVAILABLE', status: 503 });
  }

  it('refuses with 503 RATE_LIMITER_UNAVAILABLE when nothing listens', async () => {
    await expectRefusedQuickly(createRedisRateLimiter(client(`redis://127.0.0.1:${await freePort()}`), () => clock));
  });

  it('refuses with 503 RATE_LIMITER_UNAVAILABLE when the server accepts but never replies', async () => {
    const silent = await silentServer();
    try {
      await expectRefusedQuickly(createRedisRateLimiter(client(silent.url), () => clock));
    } finally {
      await silent.close();
    }
  });

  it.runIf(redisTestsRun())('counts again once Redis is back, without a restart of ours', async () => {
    const first = await startRedisServer();
    const limiter = createRedisRateLimiter(client(first.url), () => clock);
    await limiter.hit([rule]);
    await first.stop();
    await expectRefusedQuickly(limiter);
    const again = await startRedisServer({ port: first.port });
    try {
      await vi.waitFor(() => limiter.hit([rule]), { timeout: 5000, interval: 100 });
    } finally {
      await again.stop();
    }
  });
});
