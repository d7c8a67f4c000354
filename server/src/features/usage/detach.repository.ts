// Usage outlives a deleted account (docs/decisions/015): its records and monthly aggregates stay for
// the operator's accounting, with user_id cleared; the aggregates still equal the sum of their
// records, now as one anonymous row per (account, month). The immutability trigger allows exactly
// this change. Reservations of calls still running go (nothing can settle against the account).
import type { Queryable } from '../../platform/db/db.js';

export async function detachUsageOfUser(db: Queryable, { userId }: { userId: string }): Promise<{ records: number; months: number }> {
  // The tokens those reservations held of the account's keys go back to the keys' months.
  await db.query(
    `WITH gone AS (DELETE FROM usage_reservations WHERE user_id = $1 RETURNING key_id, month, tokens),
     per_key AS (SELECT key_id, month, sum(tokens) AS tokens FROM gone WHERE key_id IS NOT NULL GROUP BY key_id, month)
     UPDATE key_monthly_usage AS k SET reserved_tokens = k.reserved_tokens - per_key.tokens, updated_at = now()
     FROM per_key WHERE k.key_id = per_key.key_id AND k.month = per_key.month`,
    [userId],
  );
  const records = await db.query('UPDATE usage_records SET user_id = NULL WHERE user_id = $1', [userId]);
  const months = await db.query('UPDATE monthly_usage SET user_id = NULL, reserved_tokens = 0, updated_at = now() WHERE user_id = $1', [userId]);
  return { records: records.rowCount, months: months.rowCount };
}
