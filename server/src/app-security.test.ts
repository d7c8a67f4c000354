// What the app does for browsers and proxies: security headers and request ids on every
// response, CORS only for the configured origins, X-Forwarded-For trusted only when told, and a
// refresh cookie that is Secure in production.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, TEST_JWT_SECRET, uniqueEmail, type TestApp } from '../test/test-app.js';

describe('every response', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('pglite');
  });
  afterAll(() => t.close());

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

    it("let the API docs' own inline style in by its hash, and no other inline style", async () => {
      const csp = String((await t.app.inject({ method: 'GET', url: '/docs' })).headers['content-security-policy']);
      const styleSrc = csp.split(';').find((d) => d.trim().startsWith('style-src'));
      expect(styleSrc).toMatch(/'sha256-RL3ie0nH\+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='/);
      expect(styleSrc).not.toContain('unsafe-inline');
    });

    it('include a request id, echoed on every response', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/health' });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const other = await t.app.inject({ method: 'GET', url: '/health' });
      expect(other.headers['x-request-id']).not.toBe(res.headers['x-request-id']);
    });
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
  // Each register from "another client" behind a proxy; the per-IP limit is 2. The clock stands
  // still so that the three fall in one rate-limit window.
  const at = new Date();
  const now = () => at;
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
    const t = await buildTestApp('pglite', { now, env: { TRUST_PROXY: 'true', AUTH_RATE_LIMIT_PER_IP: '2' } });
    try {
      expect(await registerThree(t.app)).toEqual([201, 201, 201]);
    } finally {
      await t.close();
    }
  });

  it('=false (the default) ignores X-Forwarded-For, which any client can send', async () => {
    const t = await buildTestApp('pglite', { now, env: { AUTH_RATE_LIMIT_PER_IP: '2' } });
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
