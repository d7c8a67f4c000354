import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { expect, it } from 'vitest';
import { authHeader, createUser, refreshCookieOf, uniqueEmail, type TestUser } from '../../../test/test-app.js';
import type { AccountsContext } from '../accounts/accounts.test-support.js';

/** Sessions, and the access token that stops with its own (run by accounts/accounts.test.ts). */
export function sessionCases(ctx: AccountsContext) {
  const inject = (options: InjectOptions) => ctx.t.app.inject(options);
  const me = (u: { accessToken: string }) => inject({ method: 'GET', url: '/api/auth/me', headers: authHeader(u) });
  const refresh = (u: { refreshCookie: string }) => inject({ method: 'POST', url: '/api/auth/refresh', cookies: { refresh_token: u.refreshCookie } });
  const sessions = (u: { accessToken: string }) => inject({ method: 'GET', url: '/api/auth/sessions', headers: authHeader(u) });

  /** Another device of the same account. */
  async function logInAgain(user: TestUser, userAgent: string): Promise<TestUser> {
    const res = await inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'user-agent': userAgent },
      payload: { email: user.email, password: user.password },
    });
    return { ...user, accessToken: res.json().access_token, refreshCookie: refreshCookieOf(res) };
  }

  it('lists the active sessions with when, what and where, and marks the current one', async () => {
    const user = await createUser(ctx.t.app);
    const laptop = await logInAgain(user, 'Laptop Browser/1.0');
    const phone = await logInAgain(user, 'Phone Browser/2.0');
    const res = await sessions(laptop);
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<{ user_agent: string; current: boolean; ip: string; created_at: string; last_used_at: string }>;
    expect(items).toHaveLength(3);
    expect(items.find((s) => s.current)?.user_agent).toBe('Laptop Browser/1.0');
    expect(items.map((s) => s.user_agent)).toContain('Phone Browser/2.0');
    expect(items.every((s) => s.ip === '127.0.0.1' && s.created_at <= s.last_used_at)).toBe(true);
    // A refresh continues a session: same id and start, a new last use.
    const before = (await sessions(phone)).json().items.find((s: { current: boolean }) => s.current);
    const rotated = await refresh(phone);
    const after = (await sessions({ accessToken: rotated.json().access_token })).json().items.find((s: { current: boolean }) => s.current);
    expect(after).toMatchObject({ id: before.id, created_at: before.created_at });
  });

  it('ends another session: its refresh token and its access token stop at once', async () => {
    const user = await createUser(ctx.t.app);
    const other = await logInAgain(user, 'Other/1');
    const otherId = (await sessions(other)).json().items.find((s: { current: boolean }) => s.current).id;
    expect((await inject({ method: 'DELETE', url: `/api/auth/sessions/${otherId}`, headers: authHeader(user) })).statusCode).toBe(204);
    expect((await me(other)).statusCode).toBe(401);
    expect((await refresh(other)).statusCode).toBe(401);
    expect((await me(user)).statusCode).toBe(200);
    expect((await sessions(user)).json().items).toHaveLength(1);
    expect((await inject({ method: 'DELETE', url: `/api/auth/sessions/${otherId}`, headers: authHeader(user) })).statusCode).toBe(404);
  });

  it("answers 404 for another account's session and leaves it alone", async () => {
    const [mine, theirs] = [await createUser(ctx.t.app), await createUser(ctx.t.app)];
    const theirId = (await sessions(theirs)).json().items[0].id;
    for (const id of [theirId, randomUUID()]) {
      const res = await inject({ method: 'DELETE', url: `/api/auth/sessions/${id}`, headers: authHeader(mine) });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('SESSION_NOT_FOUND');
    }
    expect((await me(theirs)).statusCode).toBe(200);
  });

  it('ends every other session, keeping this one', async () => {
    const user = await createUser(ctx.t.app);
    const others = [await logInAgain(user, 'A'), await logInAgain(user, 'B')];
    expect((await inject({ method: 'DELETE', url: '/api/auth/sessions', headers: authHeader(user) })).statusCode).toBe(204);
    for (const o of others) expect((await me(o)).statusCode).toBe(401);
    expect((await me(user)).statusCode).toBe(200);
    expect((await refresh(user)).statusCode).toBe(200);
  });

  it('stops the access token of a session that logged out', async () => {
    const user = await createUser(ctx.t.app);
    await inject({ method: 'POST', url: '/api/auth/logout', cookies: { refresh_token: user.refreshCookie } });
    expect((await me(user)).statusCode).toBe(401);
  });

  it('changing the password ends the other sessions, not this one, and refuses a common password', async () => {
    const user = await createUser(ctx.t.app);
    const other = await logInAgain(user, 'Other/1');
    const change = (new_password: string) =>
      inject({ method: 'POST', url: '/api/auth/password', headers: authHeader(user), payload: { current_password: user.password, new_password } });
    const weak = await change('iloveyou1');
    expect(weak.statusCode).toBe(422);
    expect(weak.json()).toMatchObject({ code: 'PASSWORD_TOO_WEAK', detail: expect.stringMatching(/commonly used password/) });
    expect((await change('a much better passphrase')).statusCode).toBe(204);
    expect((await me(other)).statusCode).toBe(401);
    expect((await me(user)).statusCode).toBe(200);
    expect((await refresh(user)).statusCode).toBe(200);
  });

  it('refuses a common password, or one made of the email, at registration, saying why', async () => {
    const email = uniqueEmail('grace.hopper');
    for (const password of ['password123', 'qwertyuiop', email.split('@')[0]!]) {
      const res = await inject({ method: 'POST', url: '/api/auth/register', payload: { email, password } });
      expect(res.statusCode, password).toBe(422);
      expect(res.json()).toMatchObject({ code: 'PASSWORD_TOO_WEAK', detail: expect.any(String) });
    }
    expect((await inject({ method: 'POST', url: '/api/auth/register', payload: { email, password: 'long enough pw' } })).statusCode).toBe(201);
  });

  it('lets an admin end all of a user’s sessions (audited), and a deactivation ends them too', async () => {
    const admin = await createUser(ctx.t.app);
    await ctx.t.services.users.updateUser(admin.id, { role: 'admin' });
    const user = await createUser(ctx.t.app);
    const url = `/api/admin/users/${user.id}/sessions`;
    expect((await inject({ method: 'DELETE', url, headers: authHeader(user) })).statusCode).toBe(403);
    expect((await inject({ method: 'DELETE', url, headers: authHeader(admin) })).statusCode).toBe(204);
    expect((await me(user)).statusCode).toBe(401);
    expect((await refresh(user)).statusCode).toBe(401);
    const audit = await inject({ method: 'GET', url: '/api/admin/audit?limit=5', headers: authHeader(admin) });
    expect(audit.json().items[0]).toMatchObject({ action: 'user.end_sessions', target_user_id: user.id });

    const second = await logInAgain(user, 'Again/1');
    await inject({ method: 'PATCH', url: `/api/admin/users/${user.id}`, headers: authHeader(admin), payload: { is_active: false } });
    await inject({ method: 'PATCH', url: `/api/admin/users/${user.id}`, headers: authHeader(admin), payload: { is_active: true } });
    expect((await me(second)).statusCode).toBe(401); // reactivated, but that session stays ended
    expect((await refresh(second)).statusCode).toBe(401);
  });
}
