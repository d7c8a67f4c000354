// Single sign-on end to end against a real OpenID Connect provider (oidc-provider) in the test
// process: the app's redirect, the provider's login, the callback with its code, the session that
// follows; and each check the callback makes (state, the code used once, the ID token's audience
// and nonce), the claims mapped to a role and a tier, linking, and OIDC_ONLY.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { followProvider, startOidcProvider, type TestIdentity, type TestOidcProvider } from '../../../test/oidc-provider.js';
import { buildTestApp, createUser, uniqueEmail, type TestApp } from '../../../test/test-app.js';
import { ConfigError, loadConfig } from '../../config.js';

const APP = 'http://app.test';
let provider: TestOidcProvider;
let subjects = 0;

beforeAll(async () => {
  provider = await startOidcProvider({ redirectUri: `${APP}/api/sso/callback` });
});
afterAll(() => provider.close());

function person(extra: Partial<TestIdentity> = {}): TestIdentity {
  subjects += 1;
  return { sub: `staff-${Date.now().toString(36)}-${subjects}`, email: uniqueEmail('sso'), email_verified: true, ...extra };
}

describe('the single sign-on settings', () => {
  const base = { NODE_ENV: 'test', DATA_DIR: '/nonexistent-test-data-dir' };
  it('refuses an issuer without its client, OIDC_ONLY without a provider, a role claim without admin values', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, ...env });
        return '';
      } catch (err) {
        return err instanceof ConfigError ? err.message : String(err);
      }
    };
    expect(problems({ OIDC_ISSUER: 'https://id.example.com' })).toContain('OIDC_CLIENT_ID');
    expect(problems({ OIDC_ONLY: 'true' })).toContain('OIDC_ONLY');
    expect(problems({ OIDC_ISSUER: 'https://id.example.com', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b', OIDC_ROLE_CLAIM: 'groups' })).toContain(
      'OIDC_ADMIN_VALUES',
    );
    expect(
      loadConfig({ ...base, OIDC_ISSUER: 'https://id.example.com', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b', OIDC_ADMIN_VALUES: 'x, y' }).sso,
    ).toMatchObject({
      adminValues: ['x', 'y'],
      linkExisting: false,
      only: false,
    });
  });
});

describe.each(testDbKinds())('single sign-on (OpenID Connect) on %s', (kind) => {
  let t: TestApp;
  const mapping = { OIDC_ROLE_CLAIM: 'groups', OIDC_ADMIN_VALUES: 'chat-admins, it', OIDC_TIER_CLAIM: 'plan' };

  beforeAll(async () => {
    t = await buildTestApp(kind, { env: { PUBLIC_URL: APP, OIDC_DISPLAY_NAME: 'Acme ID', ...provider.env, ...mapping } });
  });
  afterAll(() => t.close());

  /** GET /api/sso/login: the provider's authorization URL and the transaction cookie. */
  async function startLogin(app = t.app) {
    const res = await app.inject({ url: '/api/sso/login' });
    expect(res.statusCode, res.body).toBe(302);
    const tx = res.cookies.find((c) => c.name === 'sso_tx');
    expect(tx).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/api/sso/callback' });
    return { authorizationUrl: String(res.headers.location), tx: tx!.value };
  }

  const callback = (url: string, tx: string | undefined, app = t.app) =>
    app.inject({ url: new URL(url).pathname + new URL(url).search, cookies: tx === undefined ? {} : { sso_tx: tx } });

  async function signIn(identity: TestIdentity, app = t.app) {
    provider.signInAs(identity);
    const { authorizationUrl, tx } = await startLogin(app);
    const back = await followProvider(authorizationUrl, provider.issuer);
    expect(back.startsWith(`${APP}/api/sso/callback?`)).toBe(true);
    return { res: await callback(back, tx, app), back, tx };
  }

  /** The session a callback started, as the web app picks it up: the refresh cookie traded for an access token. */
  async function sessionOf(res: Awaited<ReturnType<typeof callback>>) {
    const refresh = res.cookies.find((c) => c.name === 'refresh_token');
    expect(refresh).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' });
    const traded = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', cookies: { refresh_token: refresh!.value } });
    expect(traded.statusCode).toBe(200);
    return traded.json<{ access_token: string; user: { id: string; email: string; tier: string; role: string; email_verified: boolean } }>();
  }

  it('sends the browser to the provider with PKCE (S256), state and nonce', async () => {
    const { authorizationUrl } = await startLogin();
    const url = new URL(authorizationUrl);
    expect(url.origin).toBe(provider.issuer);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({ client_id: provider.clientId, response_type: 'code', code_challenge_method: 'S256', redirect_uri: `${APP}/api/sso/callback` });
    expect(q.scope).toContain('openid');
    for (const k of ['state', 'nonce', 'code_challenge'] as const) expect(q[k]?.length).toBeGreaterThanOrEqual(43);
  });

  it('creates a verified account on the first sign-in, with a session like a login, and finds it again on the next', async () => {
    const who = person();
    const first = await signIn(who);
    expect(first.res.statusCode, first.res.body).toBe(302);
    expect(first.res.headers.location).toBe('/');
    expect(first.res.cookies.find((c) => c.name === 'sso_tx')?.value).toBe(''); // the transaction is spent
    const session = await sessionOf(first.res);
    expect(session.user).toMatchObject({ email: who.email, tier: 'free', role: 'user', email_verified: true });
    const me = await t.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${session.access_token}` } });
    expect(me.json()).toMatchObject({ id: session.user.id });
    const sessions = await t.app.inject({ url: '/api/auth/sessions', headers: { authorization: `Bearer ${session.access_token}` } });
    expect(sessions.statusCode).toBe(200);
    expect(JSON.stringify(sessions.json())).toContain('"current":true');

    const again = await sessionOf((await signIn(who)).res);
    expect(again.user.id).toBe(session.user.id);
  });

  it("maps the claims the operator names to the admin role and a tier, at the account's creation", async () => {
    const admin = await sessionOf((await signIn(person({ groups: ['staff', 'chat-admins'], plan: 'builder' }))).res);
    expect(admin.user).toMatchObject({ role: 'admin', tier: 'builder' });
    const plain = await sessionOf((await signIn(person({ groups: ['staff'], plan: 'platinum' }))).res);
    expect(plain.user).toMatchObject({ role: 'user', tier: 'free' });
  });

  it('refuses an email the provider has not verified, and creates nothing', async () => {
    const who = person({ email_verified: false });
    const { res } = await signIn(who);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'SSO_EMAIL_UNVERIFIED' });
    expect(res.cookies.find((c) => c.name === 'refresh_token')).toBeUndefined();
    expect(await t.services.users.findUserByEmail(who.email!)).toBeUndefined();
  });

  it('links a password account with the same email only when OIDC_LINK_EXISTING allows it', async () => {
    const existing = await createUser(t.app);
    const who = person({ email: existing.email });
    const refused = await signIn(who);
    expect(refused.res.statusCode).toBe(409);
    expect(refused.res.json()).toMatchObject({ code: 'SSO_ACCOUNT_EXISTS' });

    const linking = await buildTestApp(kind, { database: t.database, env: { PUBLIC_URL: APP, ...provider.env, OIDC_LINK_EXISTING: 'true' } });
    try {
      const linked = await signIn(who, linking.app);
      expect(linked.res.statusCode, linked.res.body).toBe(302);
      expect((await sessionOf(linked.res)).user).toMatchObject({ id: existing.id, email_verified: true });
      const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: existing.email, password: existing.password } });
      expect(login.statusCode).toBe(200); // the password still works
    } finally {
      await linking.close();
    }
  });

  it('refuses a callback whose state is not the one this browser was given', async () => {
    const { back, tx } = await (async () => {
      provider.signInAs(person());
      const started = await startLogin();
      return { back: await followProvider(started.authorizationUrl, provider.issuer), tx: started.tx };
    })();
    const forged = new URL(back);
    forged.searchParams.set('state', 'x'.repeat(43));
    const res = await callback(forged.href, tx);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'SSO_FAILED' });
    expect(res.cookies.find((c) => c.name === 'refresh_token')).toBeUndefined();
    // Without the transaction cookie (a callback this browser never started: login CSRF), the same.
    const foreign = await callback(back, undefined);
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json()).toMatchObject({ code: 'SSO_FAILED' });
  });

  it('refuses a replayed code', async () => {
    const first = await signIn(person());
    expect(first.res.statusCode).toBe(302);
    const replay = await callback(first.back, first.tx);
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toMatchObject({ code: 'SSO_FAILED', detail: expect.stringContaining('invalid_grant') });
    expect(replay.cookies.find((c) => c.name === 'refresh_token')).toBeUndefined();
  });

  it('refuses an ID token issued for another audience, or with another nonce', async () => {
    for (const change of [{ aud: 'another-app' }, { nonce: 'a-nonce-this-browser-never-had' }]) {
      provider.tamperIdTokens((claims) => ({ ...claims, ...change }));
      try {
        const who = person();
        const { res } = await signIn(who);
        expect(res.statusCode, JSON.stringify(change)).toBe(400);
        expect(res.json()).toMatchObject({ code: 'SSO_FAILED', detail: expect.stringContaining('CLAIM_COMPARISON') });
        expect(await t.services.users.findUserByEmail(who.email!)).toBeUndefined();
      } finally {
        provider.tamperIdTokens(null);
      }
    }
  });

  it("answers the provider's own refusal (access_denied) and junk with a 400 problem", async () => {
    const { tx } = await startLogin();
    const denied = await callback(`${APP}/api/sso/callback?error=access_denied&state=whatever`, tx);
    expect(denied.statusCode).toBe(400);
    const junk = await callback(`${APP}/api/sso/callback?code=abc`, 'not-base64-json');
    expect(junk.statusCode).toBe(400);
    expect(junk.json()).toMatchObject({ code: 'SSO_FAILED' });
  });

  it('starts no session for a deactivated account', async () => {
    const who = person();
    const { user } = await sessionOf((await signIn(who)).res);
    await t.services.users.updateUser(user.id, { isActive: false });
    const { res } = await signIn(who);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'ACCOUNT_DEACTIVATED' });
    expect(res.cookies.find((c) => c.name === 'refresh_token')).toBeUndefined();
  });

  it('tells the login page what to offer; OIDC_ONLY refuses password sign-up; off, the routes say so', async () => {
    expect((await t.app.inject({ url: '/api/sso' })).json()).toEqual({ provider: { name: 'Acme ID', login_url: '/api/sso/login' }, password_sign_up: true });
    const only = await buildTestApp(kind, { database: t.database, env: { PUBLIC_URL: APP, ...provider.env, OIDC_ONLY: 'true' } });
    const off = await buildTestApp(kind, { database: t.database });
    try {
      expect((await only.app.inject({ url: '/api/sso' })).json()).toMatchObject({ password_sign_up: false });
      const register = await only.app.inject({
        method: 'POST',
        url: '/api/auth/register',
        payload: { email: uniqueEmail(), password: 'correct horse battery' },
      });
      expect(register.statusCode).toBe(403);
      expect(register.json()).toMatchObject({ code: 'SIGN_UP_DISABLED' });
      expect((await off.app.inject({ url: '/api/sso' })).json()).toEqual({ provider: null, password_sign_up: true });
      const login = await off.app.inject({ url: '/api/sso/login' });
      expect(login.statusCode).toBe(404);
      expect(login.json()).toMatchObject({ code: 'SSO_DISABLED' });
    } finally {
      await only.close();
      await off.close();
    }
  });
});
