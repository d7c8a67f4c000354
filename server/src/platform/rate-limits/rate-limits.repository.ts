import type { Queryable } from '../db/db.js';

/**
 * Counts many hits in one statement: `count` hits on each key in its window, answering each key's
 * count after them. Keys must be distinct; they are locked in key order, as every batch of every
 * process locks them, so two batches never wait for each other in a circle.
 */
export async function incrementRateLimitCounters(db: Queryable, hits: { key: string; windowStart: Date; count: number }[]): Promise<Map<string, number>> {
  const sorted = [...hits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const { rows } = await db.query<{ key: string; hits: number }>(
    `INSERT INTO rate_limit_counters AS c (key, window_start, hits)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[])
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.hits + EXCLUDED.hits ELSE EXCLUDED.hits END,
       window_start = EXCLUDED.window_start
     RETURNING key, hits`,
    [sorted.map((h) => h.key), sorted.map((h) => h.windowStart), sorted.map((h) => h.count)],
  );
  return new Map(rows.map((r) => [r.key, Number(r.hits)]));
}

/** Answers how many rows went. */
export async function deleteStaleRateLimitCounters(db: Queryable, { before }: { before: Date }): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM rate_limit_counters WHERE window_start < $1', [before]);
  return rowCount;
}
