import { expect, it } from 'vitest';
import { tokenInMail } from '../../../test/smtp-inbox.js';
import { authHeader, createUser, uniqueEmail } from '../../../test/test-app.js';
import type { AccountsContext } from './accounts.test-support.js';

export function passwordResetCases(ctx: AccountsContext) {
  const SUBJECT = 'Reset your Quota Chat password';

  const requestReset = (email: string) => ctx.t.app.inject({ method: 'POST', url: '/api/auth/password-reset', payload: { email } });
  const confirm = (token: string, password: string) =>
    ctx.t.app.inject({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, password } });
  const login = (email: string, password: string) => ctx.t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  const me = (user: { accessToken: string }) => ctx.t.app.inject({ method: 'GET', url: '/api/auth/me', headers: authHeader(user) });

  it('answers an unknown email exactly as a known one, and mails only the known one', async () => {
    const user = await createUser(ctx.t.app);
    const ghost = uniqueEmail('ghost');
    const [known, unknown] = [await requestReset(user.email), await requestReset(ghost)];
    expect(known.statusCode).toBe(202);
    const shape = (r: typeof known) => ({ status: r.statusCode, body: r.body, type: r.headers['content-type'], cache: r.headers['cache-control'] });
    expect(shape(unknown)).toEqual(shape(known));
    await ctx.t.services.accounts.close(); // every mail that was going out has gone
    expect(ctx.inbox.mails.filter((m) => m.to.includes(ghost))).toEqual([]);
    const mail = await ctx.inbox.next(user.email, SUBJECT);
    expect(mail.from).toBe('accounts@chat.example');
    expect(mail.subject).toBe('Reset your Quota Chat password');
    expect(mail.text).toContain('within 30 minutes');
    expect(mail.text).toMatch(/https:\/\/chat\.example\/reset-password#token=[\w-]{43}/);
  });

  it('sets the new password through the mailed link, ends every session, and the link works once', async () => {
    const user = await createUser(ctx.t.app);
    const other = await createUser(ctx.t.app, { email: user.email.replace('@', '+x@') }); // a bystander keeps its session
    await requestReset(user.email);
    const token = tokenInMail(await ctx.inbox.next(user.email, SUBJECT), '/reset-password');

    const weak = await confirm(token, 'password123');
    expect(weak.statusCode).toBe(422);
    expect(weak.json()).toMatchObject({ code: 'PASSWORD_TOO_WEAK' });
    expect(weak.json().detail).toMatch(/commonly used password/);

    expect((await confirm(token, 'a fresh passphrase for me')).statusCode).toBe(204);
    expect((await me(user)).statusCode).toBe(401); // the old session's access token stopped at once
    const refresh = await ctx.t.app.inject({ method: 'POST', url: '/api/auth/refresh', cookies: { refresh_token: user.refreshCookie } });
    expect(refresh.statusCode).toBe(401);
    expect((await me(other)).statusCode).toBe(200);

    expect((await login(user.email, user.password)).statusCode).toBe(401);
    const fresh = await login(user.email, 'a fresh passphrase for me');
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().user.email_verified).toBe(true); // the link proved the address

    const again = await confirm(token, 'yet another fine passphrase');
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'MAIL_LINK_INVALID' });
  });

  it('refuses an expired link, and an older link once a newer one was used', async () => {
    const user = await createUser(ctx.t.app);
    await requestReset(user.email);
    const first = tokenInMail(await ctx.inbox.next(user.email, SUBJECT), '/reset-password');
    await requestReset(user.email);
    const second = tokenInMail(await ctx.inbox.next(user.email, SUBJECT), '/reset-password');
    expect((await confirm(second, 'the second passphrase works')).statusCode).toBe(204);
    expect((await confirm(first, 'the first passphrase fails')).json().code).toBe('MAIL_LINK_INVALID');

    await requestReset(user.email);
    const late = tokenInMail(await ctx.inbox.next(user.email, SUBJECT), '/reset-password');
    ctx.clock.ms += 31 * 60_000;
    try {
      expect((await confirm(late, 'too late for this passphrase')).json().code).toBe('MAIL_LINK_INVALID');
    } finally {
      ctx.clock.ms -= 31 * 60_000;
    }
  });

  it('answers 422 for a malformed email or token', async () => {
    expect((await requestReset('not-an-email')).statusCode).toBe(422);
    expect((await confirm('short', 'a fine passphrase here')).statusCode).toBe(422);
  });
}
