// GET /ready: what a load balancer asks before sending a process traffic. It answers 200 only when
// the database answers and is at this code's schema version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { buildTestApp, TEST_JWT_SECRET, testConfig, type TestApp } from '../../../test/test-app.js';
import { buildApp } from '../../app.js';
import type { Db } from '../../platform/db/db.js';
import { latestMigrationVersion, migrateDown, migrateUp } from '../../platform/db/migrate.js';

describe.each(testDbKinds())('GET /ready on %s', (kind) => {
  let t: TestApp;
  const expected = latestMigrationVersion();
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(() => t.close());

  it('answers 200 when the database answers and every migration is applied', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ status: 'ready', database: 'ok', migrations: { current: expected, expected } });
  });

  it('answers 503 while a migration is missing, and 200 again once it is applied', async () => {
    expect(expected).toBeGreaterThan(1);
    await migrateDown(t.db);
    try {
      const res = await t.app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'not_ready', database: 'ok', migrations: { current: expected - 1, expected } });
    } finally {
      await migrateUp(t.db);
    }
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  });

  it('answers 503 when the database does not answer', async () => {
    const failing: Db = { ...t.db, query: () => Promise.reject(new Error('connection refused')) };
    const app = await buildApp(testConfig(), { db: failing, jwtSecret: TEST_JWT_SECRET, webDist: false });
    try {
      const res = await app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'not_ready', database: 'error', migrations: { current: null, expected } });
    } finally {
      await app.close();
    }
  });
});
