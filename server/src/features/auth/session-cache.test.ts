// A checked session is kept by its process (docs/decisions/023), so that an /api request with an
// access token reads no account: and a logout, an end of sessions or a deactivation still refuses
// the very next request, on this process and on any other.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { authHeader, buildTestApp, createUser, type TestApp, type TestUser } from '../../../test/test-app.js';
import type { Db } from '../../platform/db/db.js';
import { openPostgres } from '../../platform/db/postgres.js';

const me = (t: TestApp, user: TestUser) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers: authHeader(user) });
const logout = (t: TestApp, user: TestUser) => t.app.inject({ method: 'POST', url: '/api/auth/logout', cookies: { refresh_token: user.refreshCookie } });

describe.each(testDbKinds())('the session cache on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind, { env: { AUTH_CACHE_SECONDS: '300' } });
  });
  afterAll(() => t.close());

  it('reads the account again on no later request of a session', async () => {
    const user = await createUser(t.app);
    expect((await me(t, user)).statusCode).toBe(200);
    const spy = vi.spyOn(t.db, 'query');
    try {
      expect((await me(t, user)).statusCode).toBe(200);
      expect(spy.mock.calls.map((c) => c[0]).filter((s) => /FROM users\b/.test(s))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses the access token of a session logged out, on the next request', async () => {
    const user = await createUser(t.app);
    expect((await me(t, user)).statusCode).toBe(200);
    expect((await logout(t, user)).statusCode).toBe(204);
    expect((await me(t, user)).statusCode).toBe(401);
  });

  it('refuses every session of an account deactivated, or whose sessions an admin ended', async () => {
    const user = await createUser(t.app);
    expect((await me(t, user)).statusCode).toBe(200);
    await t.services.users.updateUser(user.id, { isActive: false });
    expect((await me(t, user)).statusCode).toBe(401);
    await t.services.users.updateUser(user.id, { isActive: true });
    expect((await me(t, user)).statusCode).toBe(200);

    const other = await createUser(t.app);
    expect((await me(t, other)).statusCode).toBe(200);
    await t.services.auth.endSessionsOf(other.id);
    expect((await me(t, other)).statusCode).toBe(401);
  });
});

describe.runIf(testDbKinds().includes('postgres'))('the session cache of two processes on one PostgreSQL database', () => {
  let a: TestApp;
  let b: TestApp;
  let bDb: Db;
  beforeAll(async () => {
    a = await buildTestApp('postgres', { env: { AUTH_CACHE_SECONDS: '300' } });
    bDb = await openPostgres(a.database.url!, { size: 4, timeoutMs: 5000 });
    b = await buildTestApp('postgres', { env: { AUTH_CACHE_SECONDS: '300' }, database: { ...a.database, db: bDb, drop: async () => {} } });
  });
  afterAll(async () => {
    await b.close();
    await bDb.close();
    await a.close();
  });

  it('refuses on one process a session logged out on the other, on the very next request', async () => {
    const user = await createUser(a.app);
    expect((await me(b, user)).statusCode).toBe(200);
    expect((await me(b, user)).statusCode).toBe(200); // kept by b
    expect((await logout(a, user)).statusCode).toBe(204);
    expect((await me(b, user)).statusCode).toBe(401);
  });

  it('refuses on one process the sessions of an account deactivated on the other', async () => {
    const user = await createUser(a.app);
    expect((await me(b, user)).statusCode).toBe(200);
    await a.services.users.updateUser(user.id, { isActive: false });
    expect((await me(b, user)).statusCode).toBe(401);
  });
});
