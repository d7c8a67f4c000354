// The cleanup job deletes refresh tokens past their expiry and the counters of ended rate-limit
// windows, and keeps every row that a request could still use.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testDbKinds } from '../test/databases.js';
import { buildTestApp, createUser, refreshCookieOf, type TestApp, type TestUser } from '../test/test-app.js';

const TTL_SECONDS = 3600;

describe.each(testDbKinds())('the cleanup job on %s', (kind) => {
  let clock = new Date('2026-11-30T12:00:00Z');
  let t: TestApp;
  beforeAll(async () => {
    // Auth counts attempts in 10-minute windows: longer than model calls' minute.
    t = await buildTestApp(kind, { now: () => clock, env: { REFRESH_TOKEN_TTL_SECONDS: String(TTL_SECONDS), AUTH_RATE_LIMIT_WINDOW_SECONDS: '600' } });
  });
  afterAll(() => t.close());

  const advance = (seconds: number) => {
    clock = new Date(clock.getTime() + seconds * 1000);
  };
  const refresh = (cookie: string) => t.app.inject({ method: 'POST', url: '/api/auth/refresh', cookies: { refresh_token: cookie } });
  const tokensOf = async (user: TestUser) =>
    (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1', [user.id])).rows[0]!.n;
  const counter = async (key: string) => (await t.db.query('SELECT hits FROM rate_limit_counters WHERE key = $1', [key])).rows.length;

  describe('expired refresh tokens', () => {
    it('deletes a token past its expiry and keeps a live one, which still refreshes', async () => {
      const expired = await createUser(t.app);
      advance(TTL_SECONDS - 60);
      const live = await createUser(t.app);
      advance(61);

      await t.services.cleanup.run();

      expect(await tokensOf(expired)).toBe(0);
      expect(await tokensOf(live)).toBe(1);
      expect((await refresh(expired.refreshCookie)).statusCode).toBe(401);
      expect((await refresh(live.refreshCookie)).statusCode).toBe(200);
    });

    it('keeps the rotated tokens of a live session, so that a replay still revokes it', async () => {
      const user = await createUser(t.app);
      const newest = refreshCookieOf(await refresh(user.refreshCookie));
      advance(TTL_SECONDS / 2);

      await t.services.cleanup.run();

      expect(await tokensOf(user)).toBe(2);
      expect((await refresh(user.refreshCookie)).statusCode).toBe(401);
      expect((await refresh(newest)).statusCode).toBe(401);
    });
  });

  describe('stale rate-limit counters', () => {
    it('deletes a counter whose window has ended and keeps one whose window is open', async () => {
      const ended = await createUser(t.app);
      advance(600);
      const open = await createUser(t.app);
      advance(300); // the longest window (auth's 600 s) has not ended for this one

      await t.services.cleanup.run();

      expect(await counter(`login:email:${ended.email}`)).toBe(0);
      expect(await counter(`login:email:${open.email}`)).toBe(1);
    });
  });

  it('runs when the app runs its background jobs, as main does', async () => {
    const user = await createUser(t.app);
    advance(TTL_SECONDS + 1);
    const jobs = await buildTestApp(kind, { now: () => clock, database: t.database, deps: { startReaper: true } });
    try {
      await vi.waitFor(async () => expect(await tokensOf(user)).toBe(0), { timeout: 5000, interval: 50 });
    } finally {
      await jobs.close();
    }
  });
});
