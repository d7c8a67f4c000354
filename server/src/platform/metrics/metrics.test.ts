import { randomUUID, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp, createUser, TEST_JWT_SECRET, testConfig, type TestApp } from '../../../test/test-app.js';
import { buildApp } from '../../app.js';

// The real timingSafeEqual, watched: the token check must go through it.
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return { ...crypto, timingSafeEqual: vi.fn(crypto.timingSafeEqual) };
});

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('pglite', { env: { METRICS_TOKEN: 'metrics-token-0123456789' } });
  });
  afterAll(() => t.close());

  it('needs the metrics token when one is set', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  });

  it('is closed in production without METRICS_TOKEN, and says how to open it', async () => {
    // The same database: /metrics reads none, and a fresh one per app costs seconds.
    const config = testConfig({ NODE_ENV: 'production', JWT_SECRET: 'production-secret-that-is-at-least-32-bytes!' });
    const production = await buildApp(config, { db: t.db, jwtSecret: TEST_JWT_SECRET, webDist: false });
    try {
      const res = await production.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toContain('METRICS_TOKEN');
    } finally {
      await production.close();
    }
  });

  it('compares the token in constant time, and refuses a near miss', async () => {
    vi.mocked(timingSafeEqual).mockClear();
    const near = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-012345678' } });
    expect(near.statusCode).toBe(401);
    expect(timingSafeEqual).toHaveBeenCalled();
    const right = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(right.statusCode).toBe(200);
  });

  it('counts HTTP requests by route and the tokens recorded per model and outcome', async () => {
    const user = await createUser(t.app);
    const requestId = randomUUID();
    await t.app.usage.reserve({ user: { id: user.id }, requestId, model: 'demo', promptTokens: 5, maxOutputTokens: 50 });
    await t.app.usage.settle({ requestId, userId: user.id, model: 'demo', inputTokens: 5, outputTokens: 7, source: 'provider', outcome: 'stopped' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('usage_tokens_recorded_total{model="demo",outcome="stopped",source="provider"} 12');
    expect(res.body).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/api\/auth\/register",status="201"\} 1/);
  });

  it('counts a call that used more than it reserved (the prompt margin was too small)', async () => {
    const user = await createUser(t.app);
    const requestId = randomUUID();
    const { reservedTokens } = await t.app.usage.reserve({ user: { id: user.id }, requestId, model: 'demo', promptTokens: 5, maxOutputTokens: 50 });
    await t.app.usage.settle({
      requestId,
      userId: user.id,
      model: 'demo',
      inputTokens: reservedTokens,
      outputTokens: 1,
      source: 'provider',
      outcome: 'complete',
    });
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(res.body).toContain('usage_reservation_overruns_total{model="demo"} 1');
  });
});
