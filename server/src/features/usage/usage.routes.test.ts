import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { authHeader, buildTestApp, createUser, type TestApp } from '../../../test/test-app.js';

describe.each(testDbKinds())('usage routes on %s', (kind) => {
  let t: TestApp;
  const clock = new Date('2026-11-20T10:00:00Z');
  beforeAll(async () => {
    t = await buildTestApp(kind, { now: () => clock, env: { TIER_FREE_MONTHLY_TOKENS: '20000' } });
  });
  afterAll(() => t.close());

  async function spend(userId: string, inputTokens: number, outputTokens: number, model = 'demo') {
    const requestId = randomUUID();
    await t.app.usage.reserve({ user: { id: userId }, requestId, model, promptTokens: 1, maxOutputTokens: 1 });
    await t.app.usage.settle({ requestId, userId, model, inputTokens, outputTokens, source: 'provider', outcome: 'complete' });
  }

  describe('GET /api/usage', () => {
    it("shows this month's limit, use, reservations, breakdowns and reset time", async () => {
      const user = await createUser(t.app);
      await spend(user.id, 100, 200);
      await spend(user.id, 10, 20, 'other-model');
      const pending = randomUUID();
      await t.app.usage.reserve({ user: { id: user.id }, requestId: pending, model: 'demo', promptTokens: 10, maxOutputTokens: 100 });
      const res = await t.app.inject({ method: 'GET', url: '/api/usage', headers: authHeader(user) });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        month: '2026-11',
        tier: 'free',
        limit: 20_000,
        effective_limit: 20_000,
        personal_cap: null,
        used: 330,
        requests: 2,
        resets_at: '2026-12-01T00:00:00.000Z',
      });
      expect(body.reserved).toBeGreaterThan(100);
      expect(body.remaining).toBe(20_000 - 330 - body.reserved);
      expect(body.by_model).toEqual([
        expect.objectContaining({ model: 'demo', requests: 1, input_tokens: 100, output_tokens: 200, total_tokens: 300 }),
        expect.objectContaining({ model: 'other-model', total_tokens: 30 }),
      ]);
      expect(body.by_day).toEqual([{ date: '2026-11-20', requests: 2, total_tokens: 330 }]);
      await t.app.usage.release({ requestId: pending });
    });

    it('shows a past month with ?month= and refuses a malformed month with 422', async () => {
      const user = await createUser(t.app);
      const past = await t.app.inject({ method: 'GET', url: '/api/usage?month=2026-10', headers: authHeader(user) });
      expect(past.json()).toMatchObject({ month: '2026-10', used: 0, resets_at: '2026-11-01T00:00:00.000Z', by_model: [] });
      const bad = await t.app.inject({ method: 'GET', url: '/api/usage?month=2026-13', headers: authHeader(user) });
      expect(bad.statusCode).toBe(422);
    });

    it("never shows another user's usage", async () => {
      const a = await createUser(t.app);
      const b = await createUser(t.app);
      await spend(a.id, 500, 500);
      const res = await t.app.inject({ method: 'GET', url: '/api/usage', headers: authHeader(b) });
      expect(res.json()).toMatchObject({ used: 0, by_model: [] });
    });

    it('answers 401 without a session', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/api/usage' })).statusCode).toBe(401);
    });
  });

  describe('PUT /api/usage/cap', () => {
    it('sets a personal cap that lowers the effective limit, and clears it with null', async () => {
      const user = await createUser(t.app);
      const set = await t.app.inject({ method: 'PUT', url: '/api/usage/cap', headers: authHeader(user), payload: { monthly_token_cap: 1000 } });
      expect(set.json()).toMatchObject({ personal_cap: 1000, effective_limit: 1000, limit: 20_000 });
      await spend(user.id, 600, 300);
      await expect(
        t.app.usage.reserve({ user: { id: user.id }, requestId: randomUUID(), model: 'demo', promptTokens: 200, maxOutputTokens: 10 }),
      ).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', extra: { limit: 1000 } });
      const cleared = await t.app.inject({ method: 'PUT', url: '/api/usage/cap', headers: authHeader(user), payload: { monthly_token_cap: null } });
      expect(cleared.json()).toMatchObject({ personal_cap: null, effective_limit: 20_000 });
    });

    it('refuses a negative or fractional cap with 422', async () => {
      const user = await createUser(t.app);
      for (const cap of [-1, 1.5, 'lots']) {
        const res = await t.app.inject({ method: 'PUT', url: '/api/usage/cap', headers: authHeader(user), payload: { monthly_token_cap: cap } });
        expect(res.statusCode).toBe(422);
      }
    });
  });

  describe('GET /api/tiers', () => {
    it('lists the four tiers with their limits and models, without a session', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/tiers' });
      expect(res.statusCode).toBe(200);
      const tiers = res.json().tiers;
      expect(tiers.map((x: { name: string }) => x.name)).toEqual(['free', 'starter', 'builder', 'advanced']);
      expect(tiers[0]).toMatchObject({ name: 'free', monthly_tokens: 20_000, requests_per_minute: 10, models: ['demo'] });
    });
  });
});
