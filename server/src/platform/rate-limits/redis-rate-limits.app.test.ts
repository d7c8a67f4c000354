// With REDIS_URL set, the app counts its limits in Redis: the auth limits and the tier's requests
// per minute answer 429 as they do with PostgreSQL, the counters are in Redis (and not in the
// rate_limit_counters table), and a Redis that hangs gets a 503 problem, not a hung request.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisTestsRun, silentServer, startRedisServer, type RedisServer } from '../../../test/redis-server.js';
import { authHeader, buildTestApp, createUser, uniqueEmail, type TestApp } from '../../../test/test-app.js';
import { redisRateLimitKey } from './redis-rate-limiter.js';

const clock = new Date('2026-11-20T10:00:30Z');
const windowStart = new Date('2026-11-20T10:00:00Z');

describe.runIf(redisTestsRun())('rate limits with REDIS_URL', () => {
  let server: RedisServer;
  let redis: Redis;
  let t: TestApp;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
    const env = { REDIS_URL: server.url, AUTH_RATE_LIMIT_PER_EMAIL: '3', TIER_FREE_REQUESTS_PER_MINUTE: '2' };
    t = await buildTestApp('pglite', { now: () => clock, env });
  });
  afterAll(async () => {
    await t?.close();
    redis?.disconnect();
    await server?.stop();
  });

  const login = (email: string) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'wrong pw!' } });

  it('answers 429 RATE_LIMITED with Retry-After after too many logins, counted in Redis', async () => {
    const email = uniqueEmail();
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await login(email)).statusCode);
    expect(codes).toEqual([401, 401, 401, 429]);
    const res = await login(email);
    expect(res.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(res.headers['retry-after']).toBe('30');
    expect(await redis.get(redisRateLimitKey(`login:email:${email}`, windowStart))).toBe('5');
  });

  it('answers 429 RATE_LIMITED past the tier requests per minute on POST /api/chat, counted in Redis', async () => {
    const user = await createUser(t.app);
    const chat = () => t.app.inject({ method: 'POST', url: '/api/chat', headers: authHeader(user), payload: { model: 'demo', content: 'hi' } });
    const codes = [(await chat()).statusCode, (await chat()).statusCode];
    const refused = await chat();
    expect([...codes, refused.statusCode]).toEqual([200, 200, 429]);
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', limit: 2, window_seconds: 60 });
    expect(refused.headers['retry-after']).toBe('30');
    expect(await redis.get(redisRateLimitKey(`model-calls:${user.id}`, windowStart))).toBe('3');
  });

  it('keeps nothing in the rate_limit_counters table', async () => {
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM rate_limit_counters');
    expect(rows[0]!.n).toBe(0);
  });
});

describe('rate limits with REDIS_URL when Redis does not answer', () => {
  it('answers a 503 RATE_LIMITER_UNAVAILABLE problem within three seconds, and the rest of the app still serves', async () => {
    const silent = await silentServer();
    const t = await buildTestApp('pglite', { env: { REDIS_URL: silent.url } });
    try {
      const started = Date.now();
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: uniqueEmail(), password: 'whatever it is' } });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'RATE_LIMITER_UNAVAILABLE', status: 503 });
      expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await t.close();
      await silent.close();
    }
  });
});
