import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.js';
import { TEST_JWT_SECRET, testConfig } from '../../../test/test-app.js';
import { buildApp } from '../../app.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;
const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('the web app, served by the server', () => {
  let dir: string;
  let database: TestDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'web-dist-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets/app-abc123.js'), SCRIPT);
    writeFileSync(join(dir, 'assets/app-abc123.js.gz'), gzipSync(SCRIPT));
    database = await createTestDatabase('pglite');
    app = await buildApp(testConfig(), { db: database.db, jwtSecret: TEST_JWT_SECRET, webDist: dir });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / under the CSP, never cached', async () => {
    const res = await app.inject({ method: 'GET', url: '/', headers: html });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toBe(INDEX);
  });

  it('serves hashed assets for a year, precompressed when the client accepts it', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/app-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-type']).toContain('javascript');
  });

  it("answers the app's own paths with index.html, so that reloading /c/<id> works", async () => {
    for (const url of ['/c/1b4e28ba-2fa1-11d2-883f-0016d3cca427', '/usage', '/admin?x=1', '/login']) {
      const res = await app.inject({ method: 'GET', url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(INDEX);
    }
  });

  it("keeps a shared conversation's page out of search engines and its address out of Referer headers", async () => {
    const shared = await app.inject({ method: 'GET', url: `/s/${'A'.repeat(32)}`, headers: html });
    expect(shared.statusCode).toBe(200);
    expect(shared.body).toBe(INDEX);
    expect(shared.headers['x-robots-tag']).toMatch(/noindex/);
    expect(shared.headers['referrer-policy']).toBe('no-referrer');
    expect((await app.inject({ method: 'GET', url: '/usage', headers: html })).headers['x-robots-tag']).toBeUndefined();
  });

  it('keeps problem+json 404s for API paths, missing files and requests that do not ask for HTML', async () => {
    for (const [url, headers] of [
      ['/api/nothing-here', html],
      ['/api', html],
      ['/docs/nothing', html],
      ['/health/x', html],
      ['/assets/missing-123.js', html],
      ['/favicon.ico', html],
      ['/usage', { accept: 'application/json' }],
    ] as const) {
      const res = await app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    }
  });

  it('leaves the API routes alone', async () => {
    const health = await app.inject({ method: 'GET', url: '/health', headers: html });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok' });
    const me = await app.inject({ method: 'GET', url: '/api/auth/me', headers: html });
    expect(me.statusCode).toBe(401);
  });

  it('does not count its GET fallback as a method of every path: other methods stay 404, known paths 405', async () => {
    const post = await app.inject({ method: 'POST', url: '/usage', headers: html });
    expect(post.statusCode).toBe(404);
    expect(post.headers.allow).toBeUndefined();
    const wrong = await app.inject({ method: 'DELETE', url: '/health' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD');
  });
});

describe('without a built web app', () => {
  it('serves no HTML and every unknown path is a problem+json 404', async () => {
    const database = await createTestDatabase('pglite');
    const app = await buildApp(testConfig(), { db: database.db, jwtSecret: TEST_JWT_SECRET, webDist: join(tmpdir(), 'no-such-web-dist') });
    try {
      const res = await app.inject({ method: 'GET', url: '/', headers: html });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    } finally {
      await app.close();
      await database.drop();
    }
  });
});
