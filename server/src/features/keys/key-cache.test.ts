// A checked API key is kept by its process (docs/decisions/023), so that a /v1 call reads no key
// and no user: and every change to the key, its owner or its team still binds the very next call,
// on this process and on any other.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { authHeader, buildTestApp, createApiKey, createUser, type TestApp, type TestUser } from '../../../test/test-app.js';
import type { Db } from '../../platform/db/db.js';
import { openPostgres } from '../../platform/db/postgres.js';

const v1 = (t: TestApp, key: string, path: 'models' | 'chat' = 'models') =>
  path === 'models'
    ? t.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${key}` } })
    : t.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: { authorization: `Bearer ${key}` },
        payload: { model: 'demo', messages: [{ role: 'user', content: 'Hello there, how are you?' }], max_tokens: 20 },
      });

/** The statements the app runs while fn runs. */
async function statementsDuring(db: Db, fn: () => Promise<unknown>): Promise<string[]> {
  const spy = vi.spyOn(db, 'query');
  try {
    await fn();
    return spy.mock.calls.map((c) => c[0]);
  } finally {
    spy.mockRestore();
  }
}

describe.each(testDbKinds())('the API-key cache on %s', (kind) => {
  let t: TestApp;
  let clock = new Date('2026-11-20T10:00:00Z');
  beforeAll(async () => {
    t = await buildTestApp(kind, { env: { DEMO_TOKEN_DELAY_MS: '0', AUTH_CACHE_SECONDS: '300' }, now: () => clock });
  });
  afterAll(() => t.close());

  async function keyOf(user: TestUser) {
    const { key, id } = await createApiKey(t.app, user);
    expect((await v1(t, key)).statusCode).toBe(200); // checked once: kept from now on
    return { key, id };
  }

  it('reads neither the key nor its owner again on the next call', async () => {
    const { key } = await keyOf(await createUser(t.app));
    const statements = await statementsDuring(t.db, async () => expect((await v1(t, key)).statusCode).toBe(200));
    expect(statements.filter((s) => /FROM (api_keys|users)\b/.test(s))).toEqual([]);
  });

  it('refuses a revoked key on the next call', async () => {
    const user = await createUser(t.app);
    const { key, id } = await keyOf(user);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/keys/${id}`, headers: authHeader(user) })).statusCode).toBe(204);
    expect((await v1(t, key)).statusCode).toBe(401);
  });

  it('refuses the key of a deactivated account, and takes it again once reactivated', async () => {
    const user = await createUser(t.app);
    const { key } = await keyOf(user);
    await t.services.users.updateUser(user.id, { isActive: false });
    expect((await v1(t, key)).statusCode).toBe(401);
    await t.services.users.updateUser(user.id, { isActive: true });
    expect((await v1(t, key)).statusCode).toBe(200);
  });

  it("holds the next call to a key's new cap, and to the owner's new cap", async () => {
    const user = await createUser(t.app);
    const { key, id } = await keyOf(user);
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/keys/${id}`, headers: authHeader(user), payload: { monthly_token_cap: 1 } });
    expect(patch.statusCode).toBe(200);
    const byKey = await v1(t, key, 'chat');
    expect(byKey.statusCode).toBe(429);
    expect(byKey.json().error.level).toBe('key_cap');
    await t.app.inject({ method: 'PATCH', url: `/api/keys/${id}`, headers: authHeader(user), payload: { monthly_token_cap: null } });
    expect((await v1(t, key, 'chat')).statusCode).toBe(200);
    await t.services.users.setMonthlyTokenCap(user.id, 1);
    const byOwner = await v1(t, key, 'chat');
    expect(byOwner.statusCode).toBe(429);
    expect(byOwner.json().error.level).toBe('personal_cap');
  });

  it("follows a team key's team: a member's new cap, and a removal", async () => {
    const owner = await createUser(t.app);
    const member = await createUser(t.app);
    const ownerRow = (await t.services.users.findUser(owner.id))!;
    const memberRow = (await t.services.users.findUser(member.id))!;
    const team = await t.services.teams.create(ownerRow, 'cached');
    const { link } = await t.services.teams.invite(ownerRow, team.id, { email: memberRow.email, role: 'member' });
    await t.services.teams.accept(memberRow, new URL(link!).hash.replace('#token=', ''));
    const created = await t.app.inject({ method: 'POST', url: '/api/keys', headers: authHeader(member), payload: { name: 'team key', team_id: team.id } });
    expect(created.statusCode).toBe(201);
    const key = created.json().key as string;
    expect((await v1(t, key, 'chat')).statusCode).toBe(200);

    await t.services.teams.updateMember(owner.id, team.id, member.id, { monthly_token_cap: 1 });
    const capped = await v1(t, key, 'chat');
    expect(capped.statusCode).toBe(429);
    expect(capped.json().error.level).toBe('member_cap');
    await t.services.teams.removeMember(owner.id, team.id, member.id);
    expect((await v1(t, key)).statusCode).toBe(401);
  });

  it('still refuses a key past its expiry, which is checked against the clock on every call', async () => {
    const user = await createUser(t.app);
    const { key, id } = await keyOf(user);
    const inAMinute = new Date(clock.getTime() + 60_000).toISOString();
    expect((await t.app.inject({ method: 'PATCH', url: `/api/keys/${id}`, headers: authHeader(user), payload: { expires_at: inAMinute } })).statusCode).toBe(
      200,
    );
    expect((await v1(t, key)).statusCode).toBe(200); // kept again, with its expiry
    // A minute on: well within the cache's 300 s, with no write to tell it.
    clock = new Date(clock.getTime() + 61_000);
    const statements = await statementsDuring(t.db, async () => expect((await v1(t, key)).statusCode).toBe(401));
    expect(statements.filter((s) => /FROM (api_keys|users)\b/.test(s))).toEqual([]);
  });
});

describe.runIf(testDbKinds().includes('postgres'))('the API-key cache of two processes on one PostgreSQL database', () => {
  let a: TestApp;
  let b: TestApp;
  let bDb: Db;
  beforeAll(async () => {
    a = await buildTestApp('postgres', { env: { DEMO_TOKEN_DELAY_MS: '0', AUTH_CACHE_SECONDS: '300' } });
    bDb = await openPostgres(a.database.url!, { size: 4, timeoutMs: 5000 });
    b = await buildTestApp('postgres', {
      env: { DEMO_TOKEN_DELAY_MS: '0', AUTH_CACHE_SECONDS: '300' },
      database: { ...a.database, db: bDb, drop: async () => {} },
    });
  });
  afterAll(async () => {
    await b.close();
    await bDb.close();
    await a.close();
  });

  it('refuses on one process a key revoked on the other, on the very next call', async () => {
    const user = await createUser(a.app);
    const { key, id } = await createApiKey(a.app, user);
    expect((await v1(b, key)).statusCode).toBe(200);
    expect((await v1(b, key)).statusCode).toBe(200); // kept by b
    expect((await a.app.inject({ method: 'DELETE', url: `/api/keys/${id}`, headers: authHeader(user) })).statusCode).toBe(204);
    expect((await v1(b, key)).statusCode).toBe(401);
  });

  it('refuses on one process the key of an account deactivated on the other', async () => {
    const user = await createUser(a.app);
    const { key } = await createApiKey(a.app, user);
    expect((await v1(b, key)).statusCode).toBe(200);
    await a.services.users.updateUser(user.id, { isActive: false });
    expect((await v1(b, key)).statusCode).toBe(401);
  });

  it('holds the next call on one process to a cap set on the other', async () => {
    const user = await createUser(a.app);
    const { key, id } = await createApiKey(a.app, user);
    expect((await v1(b, key, 'chat')).statusCode).toBe(200);
    const patch = await a.app.inject({ method: 'PATCH', url: `/api/keys/${id}`, headers: authHeader(user), payload: { monthly_token_cap: 1 } });
    expect(patch.statusCode).toBe(200);
    const refused = await v1(b, key, 'chat');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.level).toBe('key_cap');
  });

  it('refuses on one process a key revoked on the other while many calls are under way', async () => {
    // The count is read once for the calls that arrive together: a call that arrives after the
    // revoke must not share a read that began before it.
    const user = await createUser(a.app);
    const { key, id } = await createApiKey(a.app, user);
    expect((await v1(b, key)).statusCode).toBe(200);
    const before = Array.from({ length: 20 }, () => v1(b, key));
    expect((await a.app.inject({ method: 'DELETE', url: `/api/keys/${id}`, headers: authHeader(user) })).statusCode).toBe(204);
    const after = await Promise.all(Array.from({ length: 20 }, () => v1(b, key)));
    await Promise.all(before);
    expect(after.map((r) => r.statusCode)).toEqual(Array(20).fill(401));
  });
});
