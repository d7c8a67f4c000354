import type { Queryable } from '../db/db.js';

/**
 * Counts one hit in the fixed window that starts at windowStart, in one atomic statement: the row
 * lock makes concurrent hits from any number of processes count exactly.
 */
export async function incrementRateLimitCounter(db: Queryable, { key, windowStart }: { key: string; windowStart: Date }): Promise<number> {
  const { rows } = await db.query<{ hits: number }>(
    `INSERT INTO rate_limit_counters AS c (key, window_start, hits) VALUES ($1, $2, 1)
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.hits + 1 ELSE 1 END,
       window_start = EXCLUDED.window_start
     RETURNING hits`,
    [key, windowStart],
  );
  return rows[0]!.hits;
}

/** Answers how many rows went. */
export async function deleteStaleRateLimitCounters(db: Queryable, { before }: { before: Date }): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM rate_limit_counters WHERE window_start < $1', [before]);
  return rowCount;
}
