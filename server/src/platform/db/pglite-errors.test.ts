// A failed query's error is logged in full by whoever catches it (the problem handler, the stream
// core): on PGlite it must not carry the query's parameters, which hold message text and keys.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './db.js';
import { openPglite } from './pglite.js';

describe('a failed query on PGlite', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite();
  });
  afterAll(() => db.close());

  const secret = 'a message text that must never reach a log';

  async function failure(run: (db: Db) => Promise<unknown>): Promise<Record<string, unknown>> {
    const err = await run(db).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    return err as Record<string, unknown>;
  }

  it('keeps its SQLSTATE and message but drops the parameters', async () => {
    const err = await failure((d) => d.query('SELECT $1::text AS t, 1 / 0 AS n', [secret]));
    expect(err.code).toBe('22012');
    expect(err.message).toBe('division by zero');
    expect(err).not.toHaveProperty('params');
    expect(JSON.stringify(pino.stdSerializers.err(err as unknown as Error))).not.toContain(secret);
  });

  it('drops them inside a transaction too', async () => {
    const err = await failure((d) => d.transaction((tx) => tx.query('SELECT $1::text AS t, 1 / 0 AS n', [secret])));
    expect(JSON.stringify(pino.stdSerializers.err(err as unknown as Error))).not.toContain(secret);
  });
});
