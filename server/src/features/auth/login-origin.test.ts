// Login CSRF: a page on another site must not be able to post the login form and plant a session
// (the refresh cookie) of an account it chose in the visitor's browser. Login checks the Origin as
// refresh and logout do; clients that send none (curl, SDKs) are not browsers and are let through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { buildTestApp, uniqueEmail, type TestApp } from '../../../test/test-app.js';

describe.each(testDbKinds())('POST /api/auth/login and the Origin on %s', (kind) => {
  let t: TestApp;
  const email = uniqueEmail('csrf');
  const password = 'correct horse battery';
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const payload = `username=${encodeURIComponent(email)}&password=${encodeURIComponent(password)}`;

  beforeAll(async () => {
    t = await buildTestApp(kind, { env: { ALLOWED_ORIGINS: 'https://chat.example.com' } });
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email, password } })).statusCode).toBe(201);
  });
  afterAll(() => t.close());

  const login = (origin?: string) => t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { ...form, ...(origin && { origin }) }, payload });

  it('refuses a cross-site form post with 403 and sets no cookie', async () => {
    const res = await login('https://evil.example');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a foreign Origin on a JSON login too', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { origin: 'https://evil.example' }, payload: { email, password } });
    expect(res.statusCode).toBe(403);
  });

  it('accepts its own origin, an allowed origin, and a client that sends no Origin', async () => {
    for (const origin of ['http://localhost:80', 'https://chat.example.com', undefined]) {
      const res = await login(origin);
      expect(res.statusCode, String(origin)).toBe(200);
      expect(res.cookies.some((c) => c.name === 'refresh_token')).toBe(true);
    }
  });
});
