// Parameterised statements are prepared once per connection and reused by name (planning was a
// third of the settlement's time); texts past the cap run unnamed instead of growing the cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { openPostgres, statementName } from './postgres.js';

describe.each(testDbKinds().filter((k) => k === 'postgres'))('prepared statements on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
  });
  afterAll(() => database?.drop());

  it('prepares a parameterised text once on a connection and reuses it, with the right answers each time', async () => {
    const db = await openPostgres(database.url!, { size: 1, timeoutMs: 1000 });
    try {
      const text = 'SELECT $1::int + 1 AS next';
      for (const n of [1, 2, 3]) expect((await db.query<{ next: number }>(text, [n])).rows).toEqual([{ next: n + 1 }]);
      const prepared = await db.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements WHERE name = $1', [
        statementName(text),
      ]);
      expect(prepared.rows).toEqual([{ name: statementName(text), statement: text }]);
      // Inside a transaction the same connection reuses it too.
      await db.transaction(async (tx) => expect((await tx.query<{ next: number }>(text, [9])).rows).toEqual([{ next: 10 }]));
      const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1', [text]);
      expect(count.rows).toEqual([{ n: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('gives each text its own stable name, and none past the cap', () => {
    const a = statementName('SELECT $1::text AS a');
    expect(a).toMatch(/^q[\w-]+$/);
    expect(statementName('SELECT $1::text AS a')).toBe(a);
    expect(statementName('SELECT $1::text AS b')).not.toBe(a);
    for (let i = 0; i < 1000; i++) statementName(`SELECT $1::int + ${i}`);
    expect(statementName('SELECT $1::text AS never-seen-before')).toBeUndefined();
    expect(statementName('SELECT $1::text AS a')).toBe(a);
  });
});
