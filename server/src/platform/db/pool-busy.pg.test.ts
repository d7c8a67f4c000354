// A request that waits longer than DATABASE_POOL_TIMEOUT_MS for a connection is refused with 503
// SERVER_BUSY and Retry-After, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { AppError } from '../../lib/errors.js';
import { openPostgres } from './postgres.js';

describe.each(testDbKinds().filter((k) => k === 'postgres'))('a busy pool on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
  });
  afterAll(() => database?.drop());

  it('refuses a query, a transaction and a dedicated connection with SERVER_BUSY when no connection frees up in time', async () => {
    const db = await openPostgres(database.url!, { size: 1, timeoutMs: 100 });
    try {
      let release!: () => void;
      const held = db.transaction(() => new Promise<void>((resolve) => (release = resolve)));
      await new Promise((r) => setTimeout(r, 50));
      for (const attempt of [
        () => db.query('SELECT 1'),
        () => db.transaction((tx) => tx.query('SELECT 1')),
        () => db.withConnection((c) => c.query('SELECT 1')),
      ]) {
        const err = await attempt().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AppError);
        expect(err).toMatchObject({ code: 'SERVER_BUSY', status: 503, headers: { 'retry-after': '1' } });
      }
      release();
      await held;
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});
