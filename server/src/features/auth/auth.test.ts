import bcrypt from 'bcryptjs';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { authHeader, buildTestApp, createUser, refreshCookieOf, TEST_JWT_SECRET, uniqueEmail, type TestApp } from '../../../test/test-app.js';
import { JWT_AUDIENCE, JWT_ISSUER } from './tokens.js';

describe.each(testDbKinds())('auth on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(() => t.close());

  const register = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/auth/register', payload: payload as object });
  const login = (payload: object) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload });
  const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers });
  const refresh = (cookie?: string) => t.app.inject({ method: 'POST', url: '/api/auth/refresh', cookies: cookie ? { refresh_token: cookie } : {} });

  describe('POST /api/auth/register', () => {
    it('creates a user and answers 201 without the password hash', async () => {
      const res = await register({ email: uniqueEmail(), password: 'long enough pw' });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({ tier: 'free', role: 'user', is_active: true, tier_updated_at: null });
      expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(body)).not.toMatch(/password|argon/);
    });

    it('stores the email normalised and answers 400 for a duplicate in any case', async () => {
      const email = uniqueEmail('Case');
      const first = await register({ email: `  ${email.toUpperCase()} `, password: 'long enough pw' });
      expect(first.json().email).toBe(email.toLowerCase());
      const dup = await register({ email: email.toLowerCase(), password: 'another password' });
      expect(dup.statusCode).toBe(400);
      expect(dup.headers['content-type']).toContain('application/problem+json');
      expect(dup.json()).toMatchObject({ status: 400, code: 'EMAIL_TAKEN' });
    });

    it('answers 422 with the field issues for a bad email or password', async () => {
      for (const payload of [
        { email: 'not-an-email', password: 'long enough pw' },
        { email: uniqueEmail(), password: 'short' },
        { email: uniqueEmail(), password: 'x'.repeat(129) },
        { email: uniqueEmail() },
        {},
      ]) {
        const res = await register(payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(422);
        expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', status: 422 });
        expect(res.json().issues.length).toBeGreaterThan(0);
      }
    });

    it('accepts any characters in a password, up to 128', async () => {
      const email = uniqueEmail();
      const password = '🔐 pässwörd ' + 'ж'.repeat(100);
      expect((await register({ email, password })).statusCode).toBe(201);
      expect((await login({ email, password })).statusCode).toBe(200);
    });

    it('answers 415 for a non-JSON body and 400 for broken JSON', async () => {
      const text = await t.app.inject({ method: 'POST', url: '/api/auth/register', headers: { 'content-type': 'text/plain' }, payload: 'hi' });
      expect(text.statusCode).toBe(415);
      const broken = await t.app.inject({ method: 'POST', url: '/api/auth/register', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
      expect(broken.statusCode).toBe(400);
      expect(broken.json().code).toBe('MALFORMED_REQUEST');
    });

    it('answers 413 for a body over the limit', async () => {
      const res = await register({ email: uniqueEmail(), password: 'x'.repeat(2 * 1024 * 1024) });
      expect(res.statusCode).toBe(413);
      expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  describe('POST /api/auth/login', () => {
    it('returns a bearer token for valid credentials, and sets the refresh cookie', async () => {
      const email = uniqueEmail();
      await register({ email, password: 'long enough pw' });
      const res = await login({ email, password: 'long enough pw' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ token_type: 'bearer', expires_in: 900 });
      const cookie = res.cookies.find((c) => c.name === 'refresh_token')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' });
    });

    it('sets a readable signed-in hint beside the refresh cookie, holding no secret and ending with it', async () => {
      const user = await createUser(t.app);
      const res = await login({ email: user.email, password: user.password });
      const session = res.cookies.find((c) => c.name === 'refresh_token')!;
      const hint = res.cookies.find((c) => c.name === 'qc_signed_in')!;
      expect(hint).toMatchObject({ value: '1', sameSite: 'Strict', path: '/' });
      expect(hint.httpOnly).toBeFalsy();
      expect(String(hint.expires)).toBe(String(session.expires));
      const rotated = await refresh(session.value);
      expect(rotated.cookies.find((c) => c.name === 'qc_signed_in')?.value).toBe('1');
    });

    it('takes the OAuth2 password form with username', async () => {
      const user = await createUser(t.app);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=password&username=${encodeURIComponent(user.email)}&password=${encodeURIComponent(user.password)}`,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().access_token).toBeTruthy();
    });

    it("answers the same 401 for a wrong password, an unknown email and a deactivated account's wrong password", async () => {
      const user = await createUser(t.app);
      const inactive = await createUser(t.app);
      await t.services.users.updateUser(inactive.id, { isActive: false });
      const wrong = await login({ email: user.email, password: 'wrong password!' });
      const unknown = await login({ email: uniqueEmail('ghost'), password: 'whatever pw' });
      const deactivatedWrong = await login({ email: inactive.email, password: 'wrong password!' });
      for (const res of [wrong, unknown, deactivatedWrong]) {
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual(wrong.json());
      }
      expect(wrong.json()).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
    });

    it('tells a deactivated account with the right password that it is deactivated (403), and starts no session', async () => {
      const inactive = await createUser(t.app);
      await t.services.users.updateUser(inactive.id, { isActive: false });
      const res = await login({ email: inactive.email, password: inactive.password });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'ACCOUNT_DEACTIVATED', status: 403 });
      expect(res.json().detail).toMatch(/deactivated; ask an administrator/);
      expect(res.cookies.find((c) => c.name === 'refresh_token')).toBeUndefined();
    });

    it('does not log in with a password that differs only after its 72nd byte', async () => {
      const email = uniqueEmail();
      const base = 'correct horse battery staple '.repeat(3).slice(0, 72);
      await register({ email, password: `${base}-one` });
      expect((await login({ email, password: `${base}-two` })).statusCode).toBe(401);
      expect((await login({ email, password: `${base}-one` })).statusCode).toBe(200);
    });

    it('verifies a legacy bcrypt hash and replaces it with argon2id', async () => {
      const email = uniqueEmail('legacy');
      const legacyHash = await bcrypt.hash('legacy password', 4);
      await t.db.query('INSERT INTO users (email, password_hash) VALUES ($1, $2)', [email, legacyHash]);
      expect((await login({ email, password: 'wrong password' })).statusCode).toBe(401);
      expect((await login({ email, password: 'legacy password' })).statusCode).toBe(200);
      const { rows } = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = $1', [email]);
      expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect((await login({ email, password: 'legacy password' })).statusCode).toBe(200);
    });
  });

  describe('GET /api/auth/me', () => {
    it('returns the user for a valid token', async () => {
      const user = await createUser(t.app);
      const res = await me(authHeader(user));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: user.id, email: user.email });
    });

    it('answers 401 without a token', async () => {
      const res = await me({});
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('UNAUTHENTICATED');
    });

    it('answers 401 for a garbage token', async () => {
      expect((await me({ authorization: 'Bearer not.a.jwt' })).statusCode).toBe(401);
    });

    it('answers 401 for an expired token', async () => {
      const user = await createUser(t.app);
      const key = new TextEncoder().encode(TEST_JWT_SECRET);
      const expired = await new SignJWT({ typ: 'access' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(key);
      expect((await me({ authorization: `Bearer ${expired}` })).statusCode).toBe(401);
    });

    it('refuses alg "none", another algorithm, a wrong issuer or audience, and a wrong secret', async () => {
      const user = await createUser(t.app);
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const sid = (JSON.parse(Buffer.from(user.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
      const claims = {
        sub: user.id,
        sid,
        iss: JWT_ISSUER,
        aud: JWT_AUDIENCE,
        typ: 'access',
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 600,
      };
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
      const key = new TextEncoder().encode(TEST_JWT_SECRET);
      const sign = (alg: string, c: object, k = key) => new SignJWT(c as never).setProtectedHeader({ alg }).sign(k);
      const tokens = [
        none,
        await sign('HS512', claims),
        await sign('HS256', { ...claims, iss: 'someone-else' }),
        await sign('HS256', { ...claims, aud: 'other-api' }),
        await sign('HS256', claims, new TextEncoder().encode('another-secret-of-at-least-thirty-two-bytes')),
        await sign('HS256', { ...claims, typ: 'refresh' }),
        await sign('HS256', { ...claims, sid: undefined }), // no session: an access token always names its own
      ];
      for (const token of tokens) expect((await me({ authorization: `Bearer ${token}` })).statusCode).toBe(401);
      expect((await me({ authorization: `Bearer ${await sign('HS256', claims)}` })).statusCode).toBe(200);
    });

    it('refuses the token of a deactivated or deleted user at once', async () => {
      const user = await createUser(t.app);
      expect((await me(authHeader(user))).statusCode).toBe(200);
      await t.services.users.updateUser(user.id, { isActive: false });
      expect((await me(authHeader(user))).statusCode).toBe(401);
      const gone = await createUser(t.app);
      await t.db.query('DELETE FROM users WHERE id = $1', [gone.id]);
      expect((await me(authHeader(gone))).statusCode).toBe(401);
    });

    it('never accepts a refresh token as an access token', async () => {
      const user = await createUser(t.app);
      expect((await me({ authorization: `Bearer ${user.refreshCookie}` })).statusCode).toBe(401);
    });
  });

  describe('POST /api/auth/refresh', () => {
    it('rotates the refresh token and returns a working access token', async () => {
      const user = await createUser(t.app);
      const res = await refresh(user.refreshCookie);
      expect(res.statusCode).toBe(200);
      const next = refreshCookieOf(res);
      expect(next).not.toBe(user.refreshCookie);
      expect((await me({ authorization: `Bearer ${res.json().access_token}` })).statusCode).toBe(200);
      expect((await refresh(next)).statusCode).toBe(200);
    });

    it('never accepts an access token as a refresh token', async () => {
      const user = await createUser(t.app);
      expect((await refresh(user.accessToken)).statusCode).toBe(401);
    });

    it('answers 401 without a cookie, and clears the signed-in hint', async () => {
      const res = await refresh();
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('REFRESH_TOKEN_INVALID');
      expect(res.cookies.find((c) => c.name === 'qc_signed_in')).toMatchObject({ value: '', path: '/' });
    });

    it('revokes the whole family, newest included, when a rotated token is replayed after its successor was used', async () => {
      const user = await createUser(t.app);
      const second = refreshCookieOf(await refresh(user.refreshCookie));
      const third = await refresh(second);
      expect(third.statusCode).toBe(200);
      const replay = await refresh(user.refreshCookie);
      expect(replay.statusCode).toBe(401);
      expect(replay.json().code).toBe('REFRESH_TOKEN_INVALID');
      expect((await refresh(refreshCookieOf(third))).statusCode).toBe(401);
    });

    it('yields at most one new token from two concurrent refreshes with one token', async () => {
      const user = await createUser(t.app);
      const results = await Promise.all([refresh(user.refreshCookie), refresh(user.refreshCookie)]);
      const ok = results.filter((r) => r.statusCode === 200);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(new Set(ok.map(refreshCookieOf)).size).toBe(1);
      const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [user.id]);
      expect(rows[0]!.n).toBe(1);
    });

    it('stops working for a deactivated account, whose tokens are all revoked', async () => {
      const user = await createUser(t.app);
      // As an admin deactivates it (admin.service), which ends its sessions.
      const admin = await t.services.users.getUser((await createUser(t.app)).id);
      await t.services.admin.updateUser(admin, user.id, { is_active: false });
      const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [user.id]);
      expect(rows[0]!.n).toBe(0);
      expect((await refresh(user.refreshCookie)).statusCode).toBe(401);
    });

    it('refuses a foreign Origin', async () => {
      const user = await createUser(t.app);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/refresh',
        headers: { origin: 'https://evil.example' },
        cookies: { refresh_token: user.refreshCookie },
      });
      expect(res.statusCode).toBe(403);
    });
  });

  describe('POST /api/auth/logout', () => {
    it('revokes the refresh token and clears the cookie', async () => {
      const user = await createUser(t.app);
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/logout', cookies: { refresh_token: user.refreshCookie } });
      expect(res.statusCode).toBe(204);
      expect(res.cookies.find((c) => c.name === 'refresh_token')?.value).toBe('');
      expect(res.cookies.find((c) => c.name === 'qc_signed_in')).toMatchObject({ value: '', path: '/' });
      expect((await refresh(user.refreshCookie)).statusCode).toBe(401);
    });
  });

  describe('POST /api/auth/password', () => {
    it('changes the password and ends the other sessions, not this one', async () => {
      const user = await createUser(t.app);
      const elsewhere = refreshCookieOf(await login({ email: user.email, password: user.password }));
      const wrong = await t.app.inject({
        method: 'POST',
        url: '/api/auth/password',
        headers: authHeader(user),
        payload: { current_password: 'nope nope', new_password: 'brand new password' },
      });
      expect(wrong.statusCode).toBe(401);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/password',
        headers: authHeader(user),
        payload: { current_password: user.password, new_password: 'brand new password' },
      });
      expect(res.statusCode).toBe(204);
      expect((await login({ email: user.email, password: 'brand new password' })).statusCode).toBe(200);
      expect((await login({ email: user.email, password: user.password })).statusCode).toBe(401);
      expect((await refresh(elsewhere)).statusCode).toBe(401);
      expect((await refresh(user.refreshCookie)).statusCode).toBe(200);
    });
  });
});

describe.each(testDbKinds())('auth rate limits on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    // A clock that stands still: the attempts must all fall in one 60-second window.
    const at = new Date();
    t = await buildTestApp(kind, { now: () => at, env: { AUTH_RATE_LIMIT_PER_EMAIL: '3', AUTH_RATE_LIMIT_PER_IP: '6' } });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After after too many logins for one email', async () => {
    const email = uniqueEmail();
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'wrong pw!' } })).statusCode);
    expect(codes).toEqual([401, 401, 401, 429]);
    const last = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'wrong pw!' } });
    expect(last.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers 429 after too many attempts from one IP across emails', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/register',
        remoteAddress: '10.9.9.9',
        payload: { email: uniqueEmail(), password: 'long enough pw' },
      });
      codes.push(res.statusCode);
    }
    expect(codes.slice(0, 6).every((c) => c === 201)).toBe(true);
    expect(codes[6]).toBe(429);
  });
});
