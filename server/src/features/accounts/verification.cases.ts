import type { InjectOptions } from 'fastify';
import { expect, it } from 'vitest';
import { tokenInMail } from '../../../test/smtp-inbox.js';
import { authHeader, createApiKey, createUser } from '../../../test/test-app.js';
import type { AccountsContext } from './accounts.test-support.js';

/** With REQUIRE_EMAIL_VERIFICATION=true (accounts.test.ts). */
export function verificationCases(ctx: AccountsContext) {
  const SUBJECT = 'Confirm your email';
  const inject = (options: InjectOptions) => ctx.t.app.inject(options);
  const verify = (token: string) => inject({ method: 'POST', url: '/api/auth/verify-email', payload: { token } });

  it('says so in the sign-in options', async () => {
    const res = await inject({ method: 'GET', url: '/api/auth/options' });
    expect(res.json()).toEqual({ email_verification_required: true, password_reset_available: true });
  });

  it('lets an unverified account in, but not to a model, until the mailed link is opened', async () => {
    const user = await createUser(ctx.t.app);
    const mail = await ctx.inbox.next(user.email, SUBJECT);
    expect(mail.text).toMatch(/https:\/\/chat\.example\/verify-email#token=[\w-]{43}/);
    expect((await inject({ method: 'GET', url: '/api/auth/me', headers: authHeader(user) })).json()).toMatchObject({ email_verified: false });
    expect((await inject({ method: 'GET', url: '/api/conversations', headers: authHeader(user) })).statusCode).toBe(200);

    const chat = await inject({ method: 'POST', url: '/api/chat', headers: authHeader(user), payload: {} });
    expect(chat.statusCode).toBe(403);
    expect(chat.json()).toMatchObject({ code: 'EMAIL_NOT_VERIFIED' });
    const key = await createApiKey(ctx.t.app, user);
    const v1 = await inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${key.key}` } });
    expect(v1.statusCode).toBe(403);
    expect(v1.json()).toMatchObject({ error: { code: 'email_not_verified' } });

    expect((await verify(tokenInMail(mail, '/verify-email'))).statusCode).toBe(204);
    expect((await inject({ method: 'GET', url: '/api/auth/me', headers: authHeader(user) })).json()).toMatchObject({ email_verified: true });
    // Past the guard: now the body is what is wrong.
    expect((await inject({ method: 'POST', url: '/api/chat', headers: authHeader(user), payload: {} })).statusCode).toBe(422);
    expect((await inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${key.key}` } })).statusCode).toBe(200);
    expect((await verify(tokenInMail(mail, '/verify-email'))).json()).toMatchObject({ code: 'MAIL_LINK_INVALID' });
  });

  it('mails the link again on request, a few times an hour, and only the newest link works', async () => {
    const user = await createUser(ctx.t.app);
    const first = await ctx.inbox.next(user.email, SUBJECT);
    const resend = () => inject({ method: 'POST', url: '/api/auth/verify-email/resend', headers: authHeader(user) });
    for (let i = 0; i < 3; i++) expect((await resend()).statusCode).toBe(202);
    const limited = await resend();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    for (let i = 0; i < 3; i++) await ctx.inbox.next(user.email, SUBJECT);
    const newest = ctx.inbox.mails.filter((m) => m.to.includes(user.email)).at(-1)!;
    expect((await verify(tokenInMail(newest, '/verify-email'))).statusCode).toBe(204);
    expect((await verify(tokenInMail(first, '/verify-email'))).statusCode).toBe(400);
    expect((await resend()).statusCode).toBe(202); // verified already: nothing to send, nothing refused
  });
}
