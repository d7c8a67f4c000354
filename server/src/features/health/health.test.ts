import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { buildTestApp, TEST_JWT_SECRET, testConfig, type TestApp } from '../../../test/test-app.js';
import { buildApp } from '../../app.js';
import { APP_VERSION } from '../../lib/version.js';
import type { Db } from '../../platform/db/db.js';
import { openPglite } from '../../platform/db/pglite.js';
import { openPostgres } from '../../platform/db/postgres.js';
import { pingDatabase } from './health.routes.js';

const PATHS = ['/health', '/api/health'];

describe.each(testDbKinds())('health on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(() => t.close());

  it.each(PATHS)('GET %s answers 200 with status ok, the version and database ok', async (url) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', version: APP_VERSION, database: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('reports the version from package.json', () => {
    expect(APP_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  describe('when the database is closed', () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      // A connection of its own to the same kind of database, closed before the app uses it.
      const closed: Db = kind === 'pglite' ? await openPglite() : await openPostgres(t.database.url!, { size: 2, timeoutMs: 5000 });
      await closed.close();
      app = await buildApp(testConfig(), { db: closed, jwtSecret: TEST_JWT_SECRET });
      await app.ready();
    });
    afterAll(() => app.close());

    it.each(PATHS)('GET %s answers 503 with database error', async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'degraded', version: APP_VERSION, database: 'error' });
    });
  });
});

/** A database that accepts queries and never answers them (a network partition, a stuck lock). */
function hangingDb(): Db {
  const never = () => new Promise<never>(() => {});
  return { kind: 'postgres', query: never, transaction: never, withConnection: never, listen: never, close: async () => {} };
}

describe('health when the database hangs', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(testConfig(), { db: hangingDb(), jwtSecret: TEST_JWT_SECRET });
    await app.ready();
  });
  afterAll(() => app.close());

  it.each(PATHS)('GET %s answers 503 within the timeout instead of hanging', async (url) => {
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url });
    const elapsed = Date.now() - started;
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ database: 'error' });
    expect(elapsed).toBeLessThan(5000);
  });
});

describe('pingDatabase', () => {
  it('is true for a database that answers', async () => {
    expect(await pingDatabase({ query: async () => ({ rows: [], rowCount: 1 }) }, 1000)).toBe(true);
  });

  it('is false for a database that fails', async () => {
    expect(await pingDatabase({ query: async () => Promise.reject(new Error('connection refused')) }, 1000)).toBe(false);
  });

  it('is false after the timeout for a database that never answers', async () => {
    const started = Date.now();
    expect(await pingDatabase(hangingDb(), 100)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
