// Personal API keys: managed under /api/keys with the browser session, shown once, stored as a
// hash, accepted only on /v1, and refused at once when revoked or when their account is disabled.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { authHeader, buildTestApp, createApiKey, createUser, type TestApp, type TestUser } from '../../../test/test-app.js';
import { LAST_USED_RESOLUTION_MS, MAX_API_KEYS_PER_USER } from './keys.service.js';

/** What a key's listing shows, sorted; the answer to a creation adds the key itself. */
const LISTED_FIELDS = ['created_at', 'expires_at', 'id', 'last_used_at', 'monthly_token_cap', 'name', 'prefix', 'reserved_tokens', 'team_id', 'used_tokens'];

describe.each(testDbKinds())('API keys on %s', (kind) => {
  let t: TestApp;
  let clock = new Date('2026-11-20T10:00:00Z');
  beforeAll(async () => {
    t = await buildTestApp(kind, { now: () => clock });
  });
  afterAll(() => t.close());

  const keys = (user: TestUser, method: 'GET' | 'POST' | 'DELETE' = 'GET', path = '', payload?: object) =>
    t.app.inject({ method, url: `/api/keys${path}`, headers: authHeader(user), ...(payload && { payload }) });
  const v1Models = (authorization?: string) => t.app.inject({ method: 'GET', url: '/v1/models', headers: authorization ? { authorization } : {} });
  const setActive = (user: TestUser, isActive: boolean) => t.services.users.updateUser(user.id, { isActive });

  describe('POST /api/keys', () => {
    it('creates a key, shows it once with its prefix, and stores only its SHA-256', async () => {
      const user = await createUser(t.app);
      const res = await keys(user, 'POST', '', { name: '  laptop  ' });
      expect(res.statusCode).toBe(201);
      const created = res.json();
      expect(Object.keys(created).sort()).toEqual([...LISTED_FIELDS, 'key'].sort());
      expect(created).toMatchObject({ name: 'laptop', last_used_at: null, monthly_token_cap: null, expires_at: null, used_tokens: 0, reserved_tokens: 0 });
      expect(created.key).toMatch(/^qc_[A-Za-z0-9_-]{43}$/);
      expect(created.prefix).toBe(created.key.slice(0, 11));
      expect(new Date(created.created_at).toISOString()).toBe(created.created_at);

      const { rows } = await t.db.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [created.id]);
      expect(rows[0]!.key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));
      expect(rows[0]!.user_id).toBe(user.id);
      expect(JSON.stringify(rows[0])).not.toContain(created.key);
    });

    it('gives every key a different value', async () => {
      const user = await createUser(t.app);
      const a = await createApiKey(t.app, user);
      const b = await createApiKey(t.app, user);
      expect(a.key).not.toBe(b.key);
    });

    it('refuses a missing, empty or too long name and unknown fields with 422', async () => {
      const user = await createUser(t.app);
      for (const payload of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(101) }, { name: 'ok', scopes: ['all'] }]) {
        const res = await keys(user, 'POST', '', payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(422);
        expect(res.json().code).toBe('VALIDATION_FAILED');
      }
      expect((await keys(user, 'POST', '', { name: 'x'.repeat(100) })).statusCode).toBe(201);
    });

    it(`allows ${MAX_API_KEYS_PER_USER} live keys; the next answers 409 API_KEY_LIMIT until one is revoked`, async () => {
      const user = await createUser(t.app);
      const made = [];
      for (let i = 0; i < MAX_API_KEYS_PER_USER; i++) made.push(await createApiKey(t.app, user, `key ${i}`));
      const refused = await keys(user, 'POST', '', { name: 'one too many' });
      expect(refused.statusCode).toBe(409);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json()).toMatchObject({ code: 'API_KEY_LIMIT', limit: MAX_API_KEYS_PER_USER });
      expect((await keys(user, 'DELETE', `/${made[0]!.id}`)).statusCode).toBe(204);
      expect((await keys(user, 'POST', '', { name: 'replacement' })).statusCode).toBe(201);
      // Another user's keys do not count against this one.
      expect((await keys(await createUser(t.app), 'POST', '', { name: 'mine' })).statusCode).toBe(201);
    });

    it(`holds the limit of ${MAX_API_KEYS_PER_USER} when many creations race`, async () => {
      const user = await createUser(t.app);
      const codes = await Promise.all(
        Array.from({ length: MAX_API_KEYS_PER_USER + 5 }, (_, i) => keys(user, 'POST', '', { name: `race ${i}` }).then((r) => r.statusCode)),
      );
      expect(codes.filter((c) => c === 201)).toHaveLength(MAX_API_KEYS_PER_USER);
      expect(codes.filter((c) => c === 409)).toHaveLength(5);
      expect((await keys(user)).json().items).toHaveLength(MAX_API_KEYS_PER_USER);
    });

    it('needs the browser session: no token is 401, and an API key is not one', async () => {
      expect((await t.app.inject({ method: 'POST', url: '/api/keys', payload: { name: 'x' } })).statusCode).toBe(401);
      const user = await createUser(t.app);
      const { key } = await createApiKey(t.app, user);
      const res = await t.app.inject({ method: 'POST', url: '/api/keys', headers: { authorization: `Bearer ${key}` }, payload: { name: 'x' } });
      expect(res.statusCode).toBe(401);
    });
  });

  describe('GET /api/keys', () => {
    it('lists only your live keys, newest first, without the keys themselves', async () => {
      const user = await createUser(t.app);
      const first = await createApiKey(t.app, user, 'first');
      const second = await createApiKey(t.app, user, 'second');
      const revoked = await createApiKey(t.app, user, 'revoked');
      await keys(user, 'DELETE', `/${revoked.id}`);
      await createApiKey(t.app, await createUser(t.app), 'someone else');

      const res = await keys(user);
      expect(res.statusCode).toBe(200);
      const { items } = res.json();
      expect(items.map((k: { name: string }) => k.name)).toEqual(['second', 'first']);
      for (const item of items) expect(Object.keys(item).sort()).toEqual(LISTED_FIELDS);
      expect(items[1]).toEqual({
        id: first.id,
        name: 'first',
        prefix: first.prefix,
        created_at: expect.any(String),
        last_used_at: null,
        monthly_token_cap: null,
        expires_at: null,
        team_id: null,
        used_tokens: 0,
        reserved_tokens: 0,
      });
      expect(res.body).not.toContain(first.key);
      expect(res.body).not.toContain(second.key);
    });
  });

  describe('DELETE /api/keys/:id', () => {
    it('revokes the key: 204, gone from the list, and refused on /v1 at once', async () => {
      const user = await createUser(t.app);
      const { id, key } = await createApiKey(t.app, user);
      expect((await v1Models(`Bearer ${key}`)).statusCode).toBe(200);
      const res = await keys(user, 'DELETE', `/${id}`);
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect((await keys(user)).json().items).toEqual([]);
      const refused = await v1Models(`Bearer ${key}`);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
      expect((await keys(user, 'DELETE', `/${id}`)).statusCode).toBe(404);
    });

    it("answers 404 API_KEY_NOT_FOUND for another user's key or an unknown id, and leaves the key working", async () => {
      const owner = await createUser(t.app);
      const other = await createUser(t.app);
      const { id, key } = await createApiKey(t.app, owner);
      for (const target of [id, '00000000-0000-4000-8000-000000000000']) {
        const res = await keys(other, 'DELETE', `/${target}`);
        expect(res.statusCode).toBe(404);
        expect(res.json()).toMatchObject({ code: 'API_KEY_NOT_FOUND' });
      }
      expect((await v1Models(`Bearer ${key}`)).statusCode).toBe(200);
      expect((await keys(owner)).json().items).toHaveLength(1);
    });
  });

  describe('authenticating with a key', () => {
    it('refuses the key of a deactivated user at once, and takes it again when the account is reactivated', async () => {
      const user = await createUser(t.app);
      const { key } = await createApiKey(t.app, user);
      expect((await v1Models(`Bearer ${key}`)).statusCode).toBe(200);
      await setActive(user, false);
      const refused = await v1Models(`Bearer ${key}`);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('invalid_api_key');
      await setActive(user, true);
      expect((await v1Models(`Bearer ${key}`)).statusCode).toBe(200);
    });

    it('refuses an API key on /api routes, saying where keys work', async () => {
      const user = await createUser(t.app);
      const { key } = await createApiKey(t.app, user);
      const res = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${key}` } });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'TOKEN_INVALID', detail: expect.stringContaining('/v1') });
    });

    it('refuses the browser session (JWT) on /v1, and a missing or unknown key, with invalid_api_key', async () => {
      const user = await createUser(t.app);
      const { key } = await createApiKey(t.app, user);
      const unknown = `qc_${'A'.repeat(43)}`;
      for (const authorization of [`Bearer ${user.accessToken}`, undefined, `Bearer ${unknown}`, `Bearer ${key}x`, key]) {
        const res = await v1Models(authorization);
        expect(res.statusCode, String(authorization)).toBe(401);
        expect(res.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
        expect(res.body).not.toContain(key);
      }
      expect((await v1Models(`Bearer ${user.accessToken}`)).json().error.message).toContain('not an API key');
    });

    it('records last_used_at on first use, then at most once a minute', async () => {
      const user = await createUser(t.app);
      const { id, key } = await createApiKey(t.app, user);
      const lastUsed = async () => (await keys(user)).json().items.find((k: { id: string }) => k.id === id).last_used_at;
      const start = clock;
      try {
        expect(await lastUsed()).toBeNull();
        await v1Models(`Bearer ${key}`);
        expect(await lastUsed()).toBe(start.toISOString());

        clock = new Date(start.getTime() + LAST_USED_RESOLUTION_MS - 1000);
        await v1Models(`Bearer ${key}`);
        expect(await lastUsed()).toBe(start.toISOString()); // not written again within the minute

        clock = new Date(start.getTime() + LAST_USED_RESOLUTION_MS + 1000);
        await v1Models(`Bearer ${key}`);
        expect(await lastUsed()).toBe(clock.toISOString());
      } finally {
        clock = start;
      }
    });
  });
});
