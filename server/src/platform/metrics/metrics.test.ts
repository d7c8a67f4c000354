import { randomUUID, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp, createUser, type TestApp } from '../../../test/test-app.js';

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

describe('GET /metrics in production', () => {
  let t: TestApp;
  const production = { NODE_ENV: 'production', JWT_SECRET: 'production-secret-that-is-at-least-32-bytes!' };
  afterAll(() => t.close());

  it('is closed without METRICS_TOKEN, and says how to open it', async () => {
    t = await buildTestApp('pglite', { env: production });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toContain('METRICS_TOKEN');
    await t.close();
    t = await buildTestApp('pglite', { env: { ...production, METRICS_TOKEN: 'metrics-token-0123456789' } });
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const scraped = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(scraped.statusCode).toBe(200);
  });
});
