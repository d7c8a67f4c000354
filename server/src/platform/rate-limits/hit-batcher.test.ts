// Hits on the PostgreSQL counters arriving together are counted in one statement, each hit still
// getting a count of its own, as one statement each would give it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import type { Queryable } from '../db/db.js';
import { createHitBatcher } from './hit-batcher.js';

describe.each(testDbKinds())('batched rate-limit hits on %s', (kind) => {
  let database: TestDatabase;
  let statements = 0;
  let counting: Queryable;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    counting = {
      query: (text, params) => {
        statements++;
        return database.db.query(text, params);
      },
    };
  });
  afterAll(() => database.drop());

  const minute = new Date('2026-03-01T12:00:00Z');

  it('counts 120 hits arriving at once on 12 keys in far fewer statements, giving each key 1..10', async () => {
    const batcher = createHitBatcher(counting);
    statements = 0;
    const keys = Array.from({ length: 12 }, (_, i) => `batch:${i}`);
    const counts = await Promise.all(Array.from({ length: 120 }, (_, i) => batcher.hit(keys[i % 12]!, minute).then((n) => [keys[i % 12]!, n] as const)));
    expect(statements).toBeLessThan(5);
    for (const key of keys) {
      expect(counts.filter(([k]) => k === key).map(([, n]) => n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
    const { rows } = await database.db.query<{ hits: number }>("SELECT hits FROM rate_limit_counters WHERE key LIKE 'batch:%'");
    expect(rows.map((r) => Number(r.hits))).toEqual(Array(12).fill(10));
  });

  it('keeps counting hits that arrive while a batch is being counted', async () => {
    const batcher = createHitBatcher(counting);
    const first = batcher.hit('rolling', minute);
    await new Promise((r) => setImmediate(r)); // the first batch is on its way
    const more = Promise.all([batcher.hit('rolling', minute), batcher.hit('rolling', minute)]);
    expect([await first, ...(await more)]).toEqual([1, 2, 3]);
  });

  it('starts a key over in a new window, even when both windows meet in one batch', async () => {
    const batcher = createHitBatcher(counting);
    const next = new Date(minute.getTime() + 60_000);
    const counts = await Promise.all([batcher.hit('edge', minute), batcher.hit('edge', minute), batcher.hit('edge', next), batcher.hit('edge', next)]);
    expect(counts).toEqual([1, 2, 1, 2]);
  });

  it('fails every hit of a batch whose statement fails, and counts the next batch', async () => {
    let fail = true;
    const flaky: Queryable = {
      query: (text, params) => (fail ? Promise.reject(new Error('connection lost')) : database.db.query(text, params)),
    };
    const batcher = createHitBatcher(flaky);
    const failed = await Promise.allSettled([batcher.hit('flaky', minute), batcher.hit('flaky', minute)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batcher.hit('flaky', minute)).toBe(1);
  });
});
