// Usage outlives a deleted account (docs/decisions/015): its records and monthly aggregates stay for
// the operator's accounting, with user_id cleared; the aggregates still equal the sum of their
// records, now as one anonymous row per (account, month), and per (team, account, month) for its
// shares of team pools. The immutability trigger allows exactly this change. Reservations of calls
// still running go (nothing can settle against the account), and what they held of a key's month
// or a team's pool goes back to it.
import type { Queryable } from '../../platform/db/db.js';

export async function detachUsageOfUser(db: Queryable, { userId }: { userId: string }): Promise<{ records: number; months: number }> {
  await db.query(
    `WITH gone AS (DELETE FROM usage_reservations WHERE user_id = $1 RETURNING key_id, team_id, month, tokens),
     per_key AS (SELECT key_id, month, sum(tokens) AS tokens FROM gone WHERE key_id IS NOT NULL GROUP BY key_id, month),
     per_team AS (SELECT team_id, month, sum(tokens) AS tokens FROM gone WHERE team_id IS NOT NULL GROUP BY team_id, month),
     keys_released AS (
       UPDATE key_monthly_usage AS k SET reserved_tokens = k.reserved_tokens - per_key.tokens, updated_at = now()
       FROM per_key WHERE k.key_id = per_key.key_id AND k.month = per_key.month
     )
     UPDATE team_monthly_usage AS t SET reserved_tokens = t.reserved_tokens - per_team.tokens, updated_at = now()
     FROM per_team WHERE t.team_id = per_team.team_id AND t.month = per_team.month`,
    [userId],
  );
  const records = await db.query('UPDATE usage_records SET user_id = NULL WHERE user_id = $1', [userId]);
  const months = await db.query('UPDATE monthly_usage SET user_id = NULL, reserved_tokens = 0, updated_at = now() WHERE user_id = $1', [userId]);
  await db.query('UPDATE team_member_monthly_usage SET user_id = NULL, reserved_tokens = 0, updated_at = now() WHERE user_id = $1', [userId]);
  return { records: records.rowCount, months: months.rowCount };
}
