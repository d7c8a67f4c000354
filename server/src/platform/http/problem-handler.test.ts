// Every error is RFC 9457 problem+json with a stable code and shows nothing of the inside: no
// stack, no SQL, no driver message, no secret. 404s, 405s, bad bodies, limits, unexpected errors.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { authHeader, buildTestApp, createUser, TEST_JWT_SECRET, testConfig, uniqueEmail, type TestApp } from '../../../test/test-app.js';
import { buildApp } from '../../app.js';
import type { Db } from '../db/db.js';

/** What no response may show: stack frames, file paths, SQL, driver messages. */
const LEAKS = /\n\s+at |node_modules|\.ts:\d+|\bSELECT\b|\bINSERT\b|\bUPDATE\b|password_hash|relation "|syntax error|violates/i;

function expectProblem(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String), detail: expect.any(String) });
  expect(body.code).toMatch(/^[A-Z][A-Z_]+$/);
  expect(res.body).not.toMatch(LEAKS);
  return body;
}

describe('requests the app does not take', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('pglite');
  });
  afterAll(() => t.close());

  describe('unknown routes', () => {
    it.each([
      ['GET', '/nope'],
      ['GET', '/api/nope'],
      ['POST', '/api/nope'],
      ['POST', '/nope'],
      ['DELETE', '/api/auth/me/extra'],
      ['GET', '/api/auth'],
    ] as const)('%s %s answers 404 problem+json', async (method, url) => {
      const res = await t.app.inject({ method, url, ...(method === 'POST' && { payload: { any: 'thing' } }) });
      const body = expectProblem(res, 404);
      expect(body.code).toBe('NOT_FOUND');
      expect(body.detail).toBe(`No route for ${method} ${url}`);
    });

    it('leaves the query string out of the detail', async () => {
      const body = expectProblem(await t.app.inject({ method: 'GET', url: '/nope?token=abc' }), 404);
      expect(body.detail).toBe('No route for GET /nope');
    });

    it('answers 404 problem+json for a URL that cannot be decoded', async () => {
      expectProblem(await t.app.inject({ method: 'GET', url: '/%E0%A4%A' }), 404);
    });
  });

  describe('a known path with the wrong method', () => {
    it.each([
      ['GET', '/api/auth/login', 'POST'],
      ['DELETE', '/health', 'GET, HEAD'],
      ['PUT', '/api/auth/me', 'GET, HEAD'],
      ['POST', '/openapi.json', 'GET, HEAD'],
      ['DELETE', '/api/auth/me/', 'GET, HEAD'],
      ['PUT', '/api/conversations/4b1e6e8a-5a43-4c2e-9d53-2a4c7d0e2f11', 'DELETE, GET, HEAD, PATCH'],
    ] as const)('%s %s answers 405 problem+json with Allow: %s', async (method, url, allow) => {
      const res = await t.app.inject({ method, url });
      expect(expectProblem(res, 405).code).toBe('METHOD_NOT_ALLOWED');
      expect(res.headers.allow).toBe(allow);
    });

    it('still answers 404 for a path that no method answers', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/nope' });
      expect(expectProblem(res, 404).code).toBe('NOT_FOUND');
      expect(res.headers.allow).toBeUndefined();
    });
  });

  describe('request bodies', () => {
    it.each([
      ['a form', 'application/x-www-form-urlencoded', 'email=a%40b.example&password=long+enough+pw'],
      ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.example\r\n--x--'],
      ['XML', 'application/xml', '<user/>'],
    ])('are JSON only: %s to register answers 415', async (_what, contentType, payload) => {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/register', headers: { 'content-type': contentType }, payload });
      expect(expectProblem(res, 415).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers 400 for an empty JSON body', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/register', headers: { 'content-type': 'application/json' }, payload: '' });
      expect(expectProblem(res, 400).code).toBe('MALFORMED_REQUEST');
    });

    it('limit the OAuth2 login form to a few kilobytes', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `username=a%40b.example&password=${'x'.repeat(10_000)}`,
      });
      expect(expectProblem(res, 413).code).toBe('PAYLOAD_TOO_LARGE');
    });
  });
});

describe('BODY_LIMIT_BYTES', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('pglite', { env: { BODY_LIMIT_BYTES: '2048' } });
  });
  afterAll(() => t.close());

  it('sets the largest JSON body the server reads', async () => {
    const register = (padding: number) =>
      t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: uniqueEmail(), password: 'long enough pw', padding: 'x'.repeat(padding) } });
    expect((await register(1000)).statusCode).toBe(201);
    expect(expectProblem(await register(3000), 413).code).toBe('PAYLOAD_TOO_LARGE');
  });
});

/** A database that fails every query the way a broken server or schema does. */
function brokenDb(): Db {
  const fail = async (): Promise<never> => {
    throw Object.assign(new Error('relation "users" does not exist: SELECT id, password_hash FROM users WHERE email = $1'), { code: '42P01' });
  };
  return { kind: 'postgres', query: fail, transaction: fail, withConnection: fail, listen: fail, close: async () => {} };
}

describe('an unexpected error', () => {
  let app: FastifyInstance;
  const lines: string[] = [];
  beforeAll(async () => {
    app = await buildApp(testConfig({ LOG_LEVEL: 'error' }), { db: brokenDb(), jwtSecret: TEST_JWT_SECRET, logStream: { write: (l) => lines.push(l) } });
    app.get('/test/throws', async () => {
      throw new Error('SELECT secret FROM vault: connection to 10.1.2.3 refused');
    });
    app.get('/test/throws-object', async () => {
      throw Object.assign(new Error('upstream said: invalid api key sk-live-123'), { statusCode: 502 });
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it.each(['/test/throws', '/test/throws-object'])('from a route (%s) answers a generic 500 with the request id, and nothing else', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    const body = expectProblem(res, 500);
    const id = res.headers['x-request-id'];
    expect(body).toMatchObject({ code: 'INTERNAL', request_id: id, detail: `Something went wrong on our side (request ${id}).` });
    expect(res.body).not.toMatch(/vault|10\.1\.2\.3|sk-live|upstream/);
  });

  it('from the database answers the same generic 500', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'a@b.example', password: 'whatever pw' } });
    const body = expectProblem(res, 500);
    expect(body.code).toBe('INTERNAL');
    expect(res.body).not.toMatch(/relation|42P01/);
  });

  it('is logged in full, with its request id, for the operator', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/throws' });
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.reqId === res.headers['x-request-id'] && l.err);
    expect(logged).toBeDefined();
    expect(logged.err.message).toContain('SELECT secret FROM vault');
    expect(logged.err.stack).toContain('problem-handler.test.ts');
  });
});

describe.each(testDbKinds())('every error response on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind, { env: { AUTH_RATE_LIMIT_PER_EMAIL: '3' } });
  });
  afterAll(() => t.close());

  it('is problem+json with a stable code, and shows no stack, SQL or secret', async () => {
    const user = await createUser(t.app);
    const json = { 'content-type': 'application/json' };
    const requests = [
      { method: 'GET', url: '/nope' },
      { method: 'POST', url: '/api/auth/register', payload: { email: 'bad', password: 'short' } },
      { method: 'POST', url: '/api/auth/register', payload: { email: user.email, password: 'long enough pw' } },
      { method: 'POST', url: '/api/auth/register', headers: json, payload: '{"email": "x@y.z", "password": ' },
      { method: 'POST', url: '/api/auth/register', headers: { 'content-type': 'text/plain' }, payload: 'hi' },
      { method: 'POST', url: '/api/auth/register', payload: { email: uniqueEmail(), password: 'x'.repeat(2 * 1024 * 1024) } },
      { method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: 'wrong password' } },
      { method: 'GET', url: '/api/auth/me' },
      { method: 'GET', url: '/api/auth/me', headers: { authorization: 'Bearer not.a.jwt' } },
      { method: 'GET', url: '/api/auth/me', headers: { authorization: "Bearer ' OR 1=1 --" } },
      { method: 'POST', url: '/api/auth/refresh', cookies: { refresh_token: "'; DROP TABLE users; --" } },
      { method: 'POST', url: '/api/auth/refresh', headers: { origin: 'https://evil.example' }, cookies: { refresh_token: user.refreshCookie } },
      { method: 'POST', url: '/api/auth/password', headers: authHeader(user), payload: { current_password: 'nope', new_password: 'x' } },
    ] as const;
    const statuses: number[] = [];
    for (const request of requests) {
      const res = await t.app.inject(request as never);
      expectProblem(res, res.statusCode);
      expect(res.body).not.toContain(user.password);
      expect(res.body).not.toContain(user.refreshCookie);
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([404, 422, 400, 400, 415, 413, 401, 401, 401, 401, 401, 403, 422]);
    // ...and the rate limit's 429
    let limited: LightMyRequestResponse | undefined;
    for (let i = 0; i < 4 && !limited; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: 'wrong again' } });
      if (res.statusCode === 429) limited = res;
    }
    expect(expectProblem(limited!, 429).code).toBe('RATE_LIMITED');
  });
});
