import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../test/databases.js';
import { authHeader, buildTestApp, createUser, refreshCookieOf, TEST_JWT_SECRET, testConfig, type TestApp, uniqueEmail } from '../test/test-app.js';
import { buildApp } from './app.js';
import type { Db } from './db/db.js';
import { hashPassword } from './modules/auth/passwords.js';
import { createUsersService } from './modules/users/users.service.js';

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

describe('the app on pglite', () => {
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
      ['GET', '/api/auth/login'],
      ['DELETE', '/health'],
      ['PUT', '/api/auth/me'],
      ['POST', '/openapi.json'],
    ] as const)('%s %s answers 404 or 405 problem+json', async (method, url) => {
      const res = await t.app.inject({ method, url });
      expect([404, 405]).toContain(res.statusCode);
      expectProblem(res, res.statusCode);
    });
  });

  describe('security headers', () => {
    it.each([
      ['a JSON route', '/health'],
      ['an error', '/nope'],
      ['the API docs', '/docs'],
    ])('are set by helmet on %s', async (_what, url) => {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['content-security-policy']).toMatch(/object-src 'none'/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('include a request id, echoed on every response', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/health' });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const other = await t.app.inject({ method: 'GET', url: '/health' });
      expect(other.headers['x-request-id']).not.toBe(res.headers['x-request-id']);
    });
  });

  describe('GET /openapi.json', () => {
    let doc: {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, Record<string, unknown>>; required?: string[] } }> }; security?: unknown[]; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    beforeAll(async () => {
      const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      doc = res.json();
    });

    it('is an OpenAPI 3 document with the app version', async () => {
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info).toMatchObject({ title: 'Quota Chat API', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    });

    it('lists the health and auth paths', () => {
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/health', '/api/health', '/api/auth/register', '/api/auth/login', '/api/auth/refresh', '/api/auth/logout', '/api/auth/me', '/api/auth/password']),
      );
      expect(Object.keys(doc.paths['/api/auth/register']!)).toEqual(['post']);
      expect(Object.keys(doc.paths['/health']!)).toEqual(['get']);
      expect(doc.paths['/openapi.json']).toBeUndefined();
    });

    it('gives each route the request schema it validates with', () => {
      const register = doc.paths['/api/auth/register']!.post!.requestBody!.content['application/json']!.schema;
      expect(register.required).toEqual(expect.arrayContaining(['email', 'password']));
      expect(register.properties.password).toMatchObject({ type: 'string', minLength: 8, maxLength: 128 });
      const login = doc.paths['/api/auth/login']!.post!.requestBody!.content['application/json']!.schema;
      expect(Object.keys(login.properties)).toEqual(expect.arrayContaining(['email', 'username', 'password']));
      const password = doc.paths['/api/auth/password']!.post!.requestBody!.content['application/json']!.schema;
      expect(password.required).toEqual(expect.arrayContaining(['current_password', 'new_password']));
    });

    it('describes the responses and the bearer scheme', () => {
      expect(Object.keys(doc.paths['/api/auth/register']!.post!.responses)).toContain('201');
      expect(Object.keys(doc.paths['/health']!.get!.responses)).toEqual(expect.arrayContaining(['200', '503']));
      expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(doc.paths['/api/auth/me']!.get!.security).toEqual([{ bearerAuth: [] }]);
    });
  });

  describe('GET /docs', () => {
    it('serves the Swagger UI page', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/docs' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<title>Swagger UI</title>');
      expect(res.body).toContain('swagger-ui-bundle.js');
    });

    it('serves its scripts from this server, not a CDN', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/javascript/);
    });

    it('points the UI at the generated document', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
      expect(res.statusCode).toBe(200);
      expect(res.json().paths['/api/auth/login']).toBeDefined();
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

describe('ALLOWED_ORIGINS (CORS)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('pglite', { env: { ALLOWED_ORIGINS: 'https://chat.example.com' } });
  });
  afterAll(() => t.close());

  const preflight = (app: FastifyInstance, origin: string) =>
    app.inject({
      method: 'OPTIONS',
      url: '/api/auth/login',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  it('lets an allowed origin call the API with credentials', async () => {
    const res = await preflight(t.app, 'https://chat.example.com');
    expect(res.statusCode).toBeLessThan(300);
    expect(res.headers['access-control-allow-origin']).toBe('https://chat.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  });

  it('gives any other origin no CORS headers', async () => {
    const res = await preflight(t.app, 'https://evil.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows no cross-origin calls by default', async () => {
    const plain = await buildTestApp('pglite', { database: t.database });
    try {
      const res = await preflight(plain.app, 'https://chat.example.com');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('TRUST_PROXY', () => {
  // Each register from "another client" behind a proxy; the per-IP limit is 2.
  const registerThree = async (app: FastifyInstance) => {
    const codes: number[] = [];
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/register',
        remoteAddress: '10.0.0.1',
        headers: { 'x-forwarded-for': ip },
        payload: { email: uniqueEmail(), password: 'long enough pw' },
      });
      codes.push(res.statusCode);
    }
    return codes;
  };

  it('=true makes rate limits count the client address a proxy forwards', async () => {
    const t = await buildTestApp('pglite', { env: { TRUST_PROXY: 'true', AUTH_RATE_LIMIT_PER_IP: '2' } });
    try {
      expect(await registerThree(t.app)).toEqual([201, 201, 201]);
    } finally {
      await t.close();
    }
  });

  it('=false (the default) ignores X-Forwarded-For, which any client can send', async () => {
    const t = await buildTestApp('pglite', { env: { AUTH_RATE_LIMIT_PER_IP: '2' } });
    try {
      expect(await registerThree(t.app)).toEqual([201, 201, 429]);
    } finally {
      await t.close();
    }
  });
});

describe('the refresh cookie', () => {
  it('is Secure in production, so it never travels over plain HTTP', async () => {
    const t = await buildTestApp('pglite', { env: { NODE_ENV: 'production', JWT_SECRET: TEST_JWT_SECRET } });
    try {
      const user = await createUser(t.app);
      const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password } });
      expect(login.cookies.find((c) => c.name === 'refresh_token')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
    } finally {
      await t.close();
    }
  });

  it('is not Secure in development, so that http://localhost works', async () => {
    const t = await buildTestApp('pglite', { env: { NODE_ENV: 'development' } });
    try {
      const user = await createUser(t.app);
      const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password } });
      expect(login.cookies.find((c) => c.name === 'refresh_token')?.secure).toBeFalsy();
    } finally {
      await t.close();
    }
  });
});

describe('password hashing', () => {
  it('never blocks the event loop: a hash is computed off the main thread', async () => {
    // If hashing ran on the main thread, the promise would already be settled when it is
    // returned, and would win this race against the next turn of the event loop.
    const first = await Promise.race([
      hashPassword('a password to hash').then(() => 'hash'),
      new Promise((resolve) => setImmediate(() => resolve('event loop'))),
    ]);
    expect(first).toBe('event loop');
  });
});

/** A database that fails every query the way a broken server or schema does. */
function brokenDb(): Db {
  const fail = async (): Promise<never> => {
    throw Object.assign(new Error('relation "users" does not exist: SELECT id, password_hash FROM users WHERE email = $1'), { code: '42P01' });
  };
  return { kind: 'postgres', query: fail, transaction: fail, withConnection: fail, close: async () => {} };
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
    expect(logged.err.stack).toContain('app.test.ts');
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

  it('never contain passwords, tokens, the Authorization header or the refresh cookie', async () => {
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

    const careless = await app.inject({
      method: 'POST',
      url: '/test/log-request',
      headers: { authorization: `Bearer ${newAccess}`, cookie: `refresh_token=${newCookie}` },
      payload: { password, new_password: newPassword, access_token: accessToken, refresh_token: cookie },
    });
    expect(careless.statusCode).toBe(200);

    const log = lines.join('');
    // The test means something only if the requests were logged at all.
    expect(log).toContain('/api/auth/login');
    expect(log).toContain('request received');
    expect(log).toContain('[redacted]');
    for (const secret of secrets) expect(log, `log contains ${secret.slice(0, 12)}...`).not.toContain(secret);
  });
});

describe.each(testDbKinds())('login timing on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(() => t.close());

  it('is about the same for an unknown email, a wrong password and a deactivated account', async () => {
    const user = await createUser(t.app);
    const inactive = await createUser(t.app);
    await createUsersService({ db: t.db }).updateUser(inactive.id, { isActive: false });
    const attempts = {
      wrongPassword: { email: user.email, password: 'not the password' },
      unknownEmail: { email: uniqueEmail('ghost'), password: 'not the password' },
      deactivated: { email: inactive.email, password: inactive.password },
    };
    const times: Record<string, number[]> = { wrongPassword: [], unknownEmail: [], deactivated: [] };
    for (let round = 0; round < 7; round++) {
      for (const [name, payload] of Object.entries(attempts)) {
        const started = performance.now();
        const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload });
        times[name]!.push(performance.now() - started);
        expect(res.statusCode).toBe(401);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const reference = median(times.wrongPassword!);
    // Without a real hash to verify, a miss would take a few database microseconds instead of
    // an argon2id verification (tens of milliseconds): far outside these bounds.
    for (const name of ['unknownEmail', 'deactivated']) {
      expect(median(times[name]!), name).toBeGreaterThan(reference * 0.5);
      expect(median(times[name]!), name).toBeLessThan(reference * 2);
    }
  });
});
