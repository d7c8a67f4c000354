import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { tempDir } from '../../../test/spawn-server.js';
import { openDatabase } from './open.js';
import { openPostgres } from './postgres.js';

describe.each(testDbKinds())('the Db interface on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
    await database.db.query('CREATE TABLE items (id int PRIMARY KEY, big bigint, label text)');
  });
  afterAll(() => database.drop());

  it('names its kind', () => {
    expect(database.db.kind).toBe(kind);
  });

  // Whoever catches a failed query logs the error whole, so it must not carry the query's
  // parameters (message text, key hashes, e-mail addresses): PGlite's did (pglite.ts drops them).
  it('fails a query with its SQLSTATE and message but without its parameters, in a transaction too', async () => {
    const secret = 'a message text that must never reach a log';
    const sql = 'SELECT $1::text AS t, 1 / 0 AS n';
    for (const run of [() => database.db.query(sql, [secret]), () => database.db.transaction((tx) => tx.query(sql, [secret]))]) {
      const err = await run().then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(err).toMatchObject({ code: '22012', message: 'division by zero' });
      expect(err).not.toHaveProperty('params');
      expect(JSON.stringify(pino.stdSerializers.err(err!))).not.toContain(secret);
    }
  });

  it('runs parameterised queries and reports the affected rows', async () => {
    const inserted = await database.db.query('INSERT INTO items (id, big, label) VALUES ($1, $2, $3), ($4, $5, $6)', [1, 10, 'one', 2, 20, "it's two"]);
    expect(inserted.rowCount).toBe(2);
    const { rows } = await database.db.query<{ label: string }>('SELECT label FROM items WHERE id = $1', [2]);
    expect(rows).toEqual([{ label: "it's two" }]);
  });

  it('returns bigint columns and sums as plain numbers on both drivers', async () => {
    const { rows } = await database.db.query<{ big: number; total: number; n: number }>(
      'SELECT big, (SELECT sum(big)::bigint FROM items) AS total, (SELECT count(*) FROM items) AS n FROM items WHERE id = 1',
    );
    expect(rows[0]).toEqual({ big: 10, total: 30, n: 2 });
  });

  it('commits a transaction and returns what its function returns', async () => {
    const result = await database.db.transaction(async (tx) => {
      await tx.query("INSERT INTO items (id, label) VALUES (3, 'three')");
      return 'done';
    });
    expect(result).toBe('done');
    expect((await database.db.query('SELECT 1 FROM items WHERE id = 3')).rows).toHaveLength(1);
  });

  it('rolls a transaction back when its function throws, and rethrows', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await tx.query("INSERT INTO items (id, label) VALUES (4, 'four')");
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await database.db.query('SELECT 1 FROM items WHERE id = 4')).rows).toHaveLength(0);
  });

  it('rolls a transaction back when a statement in it fails', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await tx.query("INSERT INTO items (id, label) VALUES (5, 'five')");
        await tx.query("INSERT INTO items (id, label) VALUES (1, 'duplicate')");
      }),
    ).rejects.toThrow(/duplicate key/);
    expect((await database.db.query('SELECT 1 FROM items WHERE id = 5')).rows).toHaveLength(0);
    // ...and the database is usable afterwards.
    expect((await database.db.query('SELECT count(*)::int AS n FROM items')).rows[0]).toEqual({ n: 3 });
  });

  it('runs a multi-statement script on one connection, returning the last rows', async () => {
    const result = await database.db.withConnection((conn) =>
      conn.exec("INSERT INTO items (id, label) VALUES (6, 'six'); INSERT INTO items (id, label) VALUES (7, 'seven'); SELECT max(id) AS id FROM items"),
    );
    expect(result.rows).toEqual([{ id: 7 }]);
  });

  it('applies a failing script whole or not at all', async () => {
    await expect(
      database.db.withConnection((conn) => conn.exec("INSERT INTO items (id, label) VALUES (8, 'eight'); INSERT INTO items (id) VALUES (1)")),
    ).rejects.toThrow(/duplicate key/);
    expect((await database.db.query('SELECT 1 FROM items WHERE id = 8')).rows).toHaveLength(0);
  });
});

describe('openDatabase', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir('qc-open-');
  });
  afterAll(() => dir.remove());

  it('keeps an embedded database under DATA_DIR/pgdata when DATABASE_URL is not set, and its data across reopenings', async () => {
    const config = { databaseUrl: undefined, dataDir: `${dir.path}/data`, databasePoolSize: 1, databasePoolTimeoutMs: 5000 };
    const first = await openDatabase(config);
    expect(first.kind).toBe('pglite');
    await first.query('CREATE TABLE kept (v text)');
    await first.query("INSERT INTO kept VALUES ('still here')");
    await first.close();

    const second = await openDatabase(config);
    try {
      expect((await second.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
    } finally {
      await second.close();
    }
  });

  it.each(testDbKinds().filter((k) => k === 'postgres'))('uses %s when DATABASE_URL is set', async (kind) => {
    const database = await createTestDatabase(kind, { migrate: false });
    try {
      const db = await openDatabase({ databaseUrl: database.url, dataDir: `${dir.path}/unused`, databasePoolSize: 2, databasePoolTimeoutMs: 5000 });
      expect(db.kind).toBe('postgres');
      expect((await db.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name).toBe(new URL(database.url!).pathname.slice(1));
      await db.close();
    } finally {
      await database.drop();
    }
  });
});

describe.each(testDbKinds().filter((k) => k === 'postgres'))('the %s pool', (kind) => {
  it('reports an idle connection that fails, and replaces it', async () => {
    const database = await createTestDatabase(kind, { migrate: false });
    const onError = vi.fn();
    const db = await openPostgres(database.url!, { size: 2, timeoutMs: 5000 }, { onError });
    const admin = new pg.Client({ connectionString: database.url });
    try {
      await db.query('SELECT 1'); // leaves one idle connection in the pool
      await admin.connect();
      // What a server restart does to the pool's idle connections.
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      await vi.waitFor(() => expect(onError).toHaveBeenCalledWith(expect.any(Error)), { timeout: 5000, interval: 20 });
      expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    } finally {
      await admin.end();
      await db.close();
      await database.drop();
    }
  });
});
