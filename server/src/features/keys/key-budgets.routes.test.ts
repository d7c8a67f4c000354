// A key's monthly cap and expiry through the API: set at creation, changed or cleared with PATCH,
// shown with the month's use; an expired key answers 401 in OpenAI's shape, a key past its cap
// 429 naming the level key_cap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { budgetProblems, expectInvariants } from '../../../test/invariants.js';
import { authHeader, buildTestApp, createUser, type TestApp, type TestUser } from '../../../test/test-app.js';

describe.each(testDbKinds())('API key budgets over HTTP on %s', (kind) => {
  let t: TestApp;
  let clock = new Date('2026-11-20T10:00:00Z');
  beforeAll(async () => {
    t = await buildTestApp(kind, { env: { DEMO_TOKEN_DELAY_MS: '0' }, now: () => clock });
  });
  afterAll(() => t.close());

  const keys = (user: TestUser, method: 'GET' | 'POST' | 'PATCH' = 'GET', path = '', payload?: object) =>
    t.app.inject({ method, url: `/api/keys${path}`, headers: authHeader(user), ...(payload && { payload }) });
  const complete = (key: string, maxTokens = 400) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}` },
      payload: { model: 'demo', messages: [{ role: 'user', content: 'Tell me a long story, please.' }], max_tokens: maxTokens },
    });

  it('sets a cap and an expiry at creation, shows them with the month used, and changes or clears them with PATCH', async () => {
    const user = await createUser(t.app);
    const expiresAt = '2027-01-31T23:59:59.000Z';
    const created = await keys(user, 'POST', '', { name: 'ci', monthly_token_cap: 5000, expires_at: expiresAt });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'ci', monthly_token_cap: 5000, expires_at: expiresAt, used_tokens: 0, reserved_tokens: 0 });
    const id = created.json().id as string;

    const renamed = await keys(user, 'PATCH', `/${id}`, { name: 'ci runner', monthly_token_cap: 800 });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id, name: 'ci runner', monthly_token_cap: 800, expires_at: expiresAt });
    const cleared = await keys(user, 'PATCH', `/${id}`, { monthly_token_cap: null, expires_at: null });
    expect(cleared.json()).toMatchObject({ name: 'ci runner', monthly_token_cap: null, expires_at: null });
    expect((await keys(user)).json().items[0]).toMatchObject({ id, monthly_token_cap: null, expires_at: null });
  });

  it('refuses a past expiry, a negative or fractional cap, an empty change and unknown fields with 422', async () => {
    const user = await createUser(t.app);
    const id = (await keys(user, 'POST', '', { name: 'k' })).json().id as string;
    for (const payload of [
      { name: 'k', expires_at: '2026-11-20T09:59:00Z' },
      { name: 'k', expires_at: 'tomorrow' },
      { name: 'k', monthly_token_cap: -1 },
      { name: 'k', monthly_token_cap: 1.5 },
    ]) {
      const res = await keys(user, 'POST', '', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(422);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    for (const payload of [{}, { expires_at: '2020-01-01T00:00:00Z' }, { monthly_token_cap: 'lots' }, { team: 'x' }]) {
      const res = await keys(user, 'PATCH', `/${id}`, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(422);
    }
  });

  it("answers 404 API_KEY_NOT_FOUND for a change to another user's key, and changes nothing", async () => {
    const owner = await createUser(t.app);
    const id = (await keys(owner, 'POST', '', { name: 'mine', monthly_token_cap: 100 })).json().id as string;
    const res = await keys(await createUser(t.app), 'PATCH', `/${id}`, { monthly_token_cap: null });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('API_KEY_NOT_FOUND');
    expect((await keys(owner)).json().items[0].monthly_token_cap).toBe(100);
  });

  it("refuses an expired key with 401 invalid_api_key in OpenAI's shape, and takes it again once extended", async () => {
    const user = await createUser(t.app);
    const created = (await keys(user, 'POST', '', { name: 'short', expires_at: new Date(clock.getTime() + 60_000).toISOString() })).json();
    expect((await complete(created.key, 10)).statusCode).toBe(200);
    const start = clock;
    try {
      clock = new Date(start.getTime() + 61_000);
      const refused = await complete(created.key, 10);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toEqual({
        error: { message: expect.stringContaining('expired'), type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
      });
      const models = await t.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${created.key}` } });
      expect(models.statusCode).toBe(401);
      expect((await keys(user, 'PATCH', `/${created.id}`, { expires_at: new Date(clock.getTime() + 3_600_000).toISOString() })).statusCode).toBe(200);
      expect((await complete(created.key, 10)).statusCode).toBe(200);
    } finally {
      clock = start;
    }
  });

  it('clamps each call to what the key has left, then answers 429 with level key_cap; the records carry the key', async () => {
    const user = await createUser(t.app);
    const cap = 300;
    const created = (await keys(user, 'POST', '', { name: 'capped', monthly_token_cap: cap })).json();
    let calls = 0;
    let refused;
    while (calls < 20) {
      const res = await complete(created.key);
      if (res.statusCode === 429) {
        refused = res.json();
        break;
      }
      expect(res.statusCode).toBe(200);
      calls += 1;
    }
    expect(calls).toBeGreaterThan(0);
    expect(refused).toMatchObject({ error: { code: 'insufficient_quota', type: 'insufficient_quota', level: 'key_cap' } });
    expect(refused.error.message).toContain("this API key's monthly cap of 300 tokens");
    const listed = (await keys(user)).json().items[0];
    expect(listed.used_tokens).toBeGreaterThan(0);
    expect(listed.used_tokens).toBeLessThanOrEqual(cap);
    const { rows } = await t.db.query<{ key_id: string }>('SELECT DISTINCT key_id FROM usage_records WHERE user_id = $1', [user.id]);
    expect(rows).toEqual([{ key_id: created.id }]);
    await expectInvariants(t.db, user.id, { calls });
    expect(await budgetProblems(t.db)).toEqual([]);
  });
});
