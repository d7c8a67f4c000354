// The reuse interval of refresh tokens: a client whose refresh answer was lost (a page reloaded
// mid-request) replays the rotated token and gets the same successor again, without a second live
// token and without losing the session; any other replay still revokes the whole family.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { buildTestApp, createUser, refreshCookieOf, type TestApp } from '../../../test/test-app.js';

describe.each(testDbKinds())('refresh-token reuse interval on %s', (kind) => {
  let clock = new Date('2026-11-30T12:00:00Z');
  let t: TestApp;
  let strict: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind, { now: () => clock, env: { REFRESH_TOKEN_REUSE_INTERVAL_SECONDS: '10' } });
    strict = await buildTestApp(kind, { env: { REFRESH_TOKEN_REUSE_INTERVAL_SECONDS: '0' } });
  });
  afterAll(async () => {
    await t.close();
    await strict.close();
  });

  const refresh = (app: TestApp, cookie: string) => app.app.inject({ method: 'POST', url: '/api/auth/refresh', cookies: { refresh_token: cookie } });
  const liveTokens = async (app: TestApp, userId: string) =>
    (await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [userId])).rows[0]!.n;
  const advance = (seconds: number) => {
    clock = new Date(clock.getTime() + seconds * 1000);
  };

  it('gives a replay within the interval the same successor, whose answer was lost, and keeps the session', async () => {
    const user = await createUser(t.app);
    const lost = await refresh(t, user.refreshCookie); // the page reloaded before this answer arrived
    advance(2);
    const again = await refresh(t, user.refreshCookie);
    expect(again.statusCode).toBe(200);
    expect(refreshCookieOf(again)).toBe(refreshCookieOf(lost));
    expect(again.json().access_token).toEqual(expect.any(String));
    expect(await liveTokens(t, user.id)).toBe(1);
    // The successor works as usual, and rotation goes on from it.
    const next = await refresh(t, refreshCookieOf(again));
    expect(next.statusCode).toBe(200);
    expect((await refresh(t, refreshCookieOf(next))).statusCode).toBe(200);
  });

  it('revokes the family, newest included, when the replay comes after the interval', async () => {
    const user = await createUser(t.app);
    const newest = refreshCookieOf(await refresh(t, user.refreshCookie));
    advance(10);
    expect((await refresh(t, user.refreshCookie)).statusCode).toBe(401);
    expect((await refresh(t, newest)).statusCode).toBe(401);
    expect(await liveTokens(t, user.id)).toBe(0);
  });

  it('revokes the family when the successor was already used, even within the interval', async () => {
    const user = await createUser(t.app);
    const second = refreshCookieOf(await refresh(t, user.refreshCookie));
    const third = refreshCookieOf(await refresh(t, second));
    expect((await refresh(t, user.refreshCookie)).statusCode).toBe(401);
    expect((await refresh(t, third)).statusCode).toBe(401);
  });

  it('does not bring back a session that logged out within the interval', async () => {
    const user = await createUser(t.app);
    const second = refreshCookieOf(await refresh(t, user.refreshCookie));
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', cookies: { refresh_token: second } });
    expect(out.statusCode).toBe(204);
    expect((await refresh(t, user.refreshCookie)).statusCode).toBe(401);
    expect(await liveTokens(t, user.id)).toBe(0);
  });

  it('with REFRESH_TOKEN_REUSE_INTERVAL_SECONDS=0 revokes the family on any replay', async () => {
    const user = await createUser(strict.app);
    const newest = refreshCookieOf(await refresh(strict, user.refreshCookie));
    expect((await refresh(strict, user.refreshCookie)).statusCode).toBe(401);
    expect((await refresh(strict, newest)).statusCode).toBe(401);
    const racing = await createUser(strict.app);
    const results = await Promise.all([refresh(strict, racing.refreshCookie), refresh(strict, racing.refreshCookie)]);
    expect(results.filter((r) => r.statusCode === 200).length).toBeLessThanOrEqual(1);
    expect(await liveTokens(strict, racing.id)).toBeLessThanOrEqual(1);
  });
});
