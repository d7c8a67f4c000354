// The logs are for the operator and may be shipped anywhere: no password, token, API key,
// Authorization header or refresh cookie may ever be written, at any level (LOG_REDACT_PATHS in app.ts).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../test/databases.js';
import { refreshCookieOf, TEST_JWT_SECRET, testConfig, uniqueEmail } from '../test/test-app.js';
import { buildApp } from './app.js';

describe.each(testDbKinds())('the logs on %s', (kind) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  const lines: string[] = [];
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // The most verbose level, so that anything that could carry a secret is written.
    app = await buildApp(testConfig({ LOG_LEVEL: 'trace', AUTH_RATE_LIMIT_PER_IP: '1000' }), {
      db: database.db,
      jwtSecret: TEST_JWT_SECRET,
      logStream: { write: (l) => lines.push(l) },
    });
    // What a module might carelessly log: the whole body and every header.
    app.post('/test/log-request', async (request) => {
      request.log.info({ body: request.body, headers: request.headers }, 'request received');
      request.log.info({ req: { headers: request.headers } }, 'request headers');
      return { ok: true };
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('never contain passwords, tokens, API keys, the Authorization header or the refresh cookie', async () => {
    const email = uniqueEmail('logs');
    const password = 'pw-that-must-not-be-logged';
    const newPassword = 'new-pw-that-must-not-be-logged';
    const secrets: string[] = [password, newPassword];

    expect((await app.inject({ method: 'POST', url: '/api/auth/register', payload: { email, password } })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: uniqueEmail(), password: 'short' } })).statusCode).toBe(422);
    expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'wrong-pw-not-to-log' } })).statusCode).toBe(401);
    secrets.push('wrong-pw-not-to-log');
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=${encodeURIComponent(email)}&password=${password}`,
    });
    expect(login.statusCode).toBe(200);
    const accessToken: string = login.json().access_token;
    const cookie = refreshCookieOf(login);
    secrets.push(accessToken, cookie, `Bearer ${accessToken}`);

    const refreshed = await app.inject({ method: 'POST', url: '/api/auth/refresh', cookies: { refresh_token: cookie } });
    expect(refreshed.statusCode).toBe(200);
    const newAccess: string = refreshed.json().access_token;
    const newCookie = refreshCookieOf(refreshed);
    secrets.push(newAccess, newCookie);

    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${newAccess}` } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${accessToken}x` } })).statusCode).toBe(401);
    const change = await app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { authorization: `Bearer ${newAccess}` },
      payload: { current_password: password, new_password: newPassword },
    });
    expect(change.statusCode).toBe(204);
    expect((await app.inject({ method: 'POST', url: '/api/auth/logout', cookies: { refresh_token: newCookie } })).statusCode).toBe(204);

    // A personal API key: shown in the answer to its creation, then sent to /v1 as a Bearer token.
    const relogin = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: newPassword } });
    const created = await app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: { authorization: `Bearer ${relogin.json().access_token}` },
      payload: { name: 'ci' },
    });
    expect(created.statusCode).toBe(201);
    const apiKey: string = created.json().key;
    secrets.push(apiKey, relogin.json().access_token);
    expect((await app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${apiKey}` } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${apiKey}x` } })).statusCode).toBe(401);

    for (const authorization of [`Bearer ${newAccess}`, `Bearer ${apiKey}`]) {
      const careless = await app.inject({
        method: 'POST',
        url: '/test/log-request',
        headers: { authorization, cookie: `refresh_token=${newCookie}` },
        payload: { password, new_password: newPassword, access_token: accessToken, refresh_token: cookie, key: apiKey },
      });
      expect(careless.statusCode).toBe(200);
    }
    app.log.info(created.json(), 'a created API key, logged whole');

    const log = lines.join('');
    // The test means something only if the requests were logged at all.
    expect(log).toContain('/api/auth/login');
    expect(log).toContain('request received');
    expect(log).toContain('[redacted]');
    for (const secret of secrets) expect(log, `log contains ${secret.slice(0, 12)}...`).not.toContain(secret);
  });
});
