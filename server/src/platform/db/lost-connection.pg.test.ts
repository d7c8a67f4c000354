// A database connection lost while the server runs is a 503, never a crash or a 500 (found by the
// reliability load, server/reliability/load/): a pooled client held by a transaction between two
// statements fails its next statement instead of ending the process with an unhandled 'error'
// event, and a request that meets a database it cannot reach answers 503 DATABASE_UNAVAILABLE
// with Retry-After, under /api and /v1 alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { startPrivatePostgres, type PrivatePostgres } from '../../../test/private-postgres.js';
import { authHeader, createApiKey, createUser, TEST_JWT_SECRET, testConfig } from '../../../test/test-app.js';
import { buildApp } from '../../app.js';
import { migrateUp } from './migrate.js';
import { openPostgres } from './postgres.js';
import { isConnectionError } from './retry.js';

const kinds = testDbKinds().filter((k) => k === 'postgres');

describe.each(kinds)('a connection lost while a transaction holds it (%s)', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
  });
  afterAll(() => database?.drop());

  it('fails that transaction, tells onError, and the pool goes on serving', async () => {
    const lost: Error[] = [];
    const db = await openPostgres(database.url!, { size: 2, timeoutMs: 2000 }, { onError: (err) => lost.push(err) });
    try {
      const outcome = db.transaction(async (tx) => {
        const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await db.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        // The connection ends while no statement runs on it: the moment that used to crash.
        await new Promise((r) => setTimeout(r, 300));
        await tx.query('SELECT 1');
      });
      const err = await outcome.catch((e: unknown) => e);
      expect(isConnectionError(err), String(err)).toBe(true);
      expect(lost.length).toBeGreaterThan(0);
      for (let i = 0; i < 3; i++) expect((await db.transaction((tx) => tx.query<{ one: number }>('SELECT 1 AS one'))).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});

describe.each(kinds)('requests while the database is down (%s)', () => {
  let pg: PrivatePostgres;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let db: Awaited<ReturnType<typeof openPostgres>>;
  beforeAll(async () => {
    pg = await startPrivatePostgres();
    db = await openPostgres(pg.url, { size: 2, timeoutMs: 2000 }, { onError: () => {} });
    await migrateUp(db);
    app = await buildApp(testConfig(), { db, jwtSecret: TEST_JWT_SECRET, webDist: false });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close().catch(() => {});
    pg?.stop();
    pg?.remove();
  });

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After, as problem+json and in OpenAI shape', async () => {
    const user = await createUser(app);
    const key = await createApiKey(app, user);
    pg.stop();
    const api = await app.inject({ method: 'GET', url: '/api/conversations', headers: authHeader(user) });
    expect(api.statusCode, api.body).toBe(503);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(api.headers['retry-after']).toBe('1');
    expect(api.json()).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    const v1 = await app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${key.key}` } });
    expect(v1.statusCode, v1.body).toBe(503);
    expect(v1.headers['retry-after']).toBe('1');
    expect(v1.json()).toMatchObject({ error: { type: 'server_error', code: 'database_unavailable' } });
  });
});
