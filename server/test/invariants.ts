// DESIGN.md's invariants 1 and 2, checked from the database after a test has done its damage.
import type { Queryable } from '../src/platform/db/db.js';

export async function usageState(db: Queryable, userId: string) {
  const { rows: month } = await db.query<{ total_tokens: number; reserved_tokens: number; request_count: number }>(
    'SELECT total_tokens, reserved_tokens, request_count FROM monthly_usage WHERE user_id = $1',
    [userId],
  );
  const { rows: records } = await db.query<{ n: number; total: number }>(
    // The personal month holds the calls charged to no team (a team's go to its pool).
    'SELECT count(*)::int AS n, COALESCE(sum(total_tokens), 0)::int AS total FROM usage_records WHERE user_id = $1 AND team_id IS NULL',
    [userId],
  );
  const { rows: reservations } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_reservations WHERE user_id = $1', [userId]);
  const totals = month.reduce(
    (acc, m) => ({
      total: acc.total + Number(m.total_tokens),
      reserved: acc.reserved + Number(m.reserved_tokens),
      requests: acc.requests + Number(m.request_count),
    }),
    { total: 0, reserved: 0, requests: 0 },
  );
  return { ...totals, records: records[0]!.n, recordsTotal: records[0]!.total, reservations: reservations[0]!.n };
}

/** Throws unless the month equals the sum of its records and nothing stays reserved. */
export async function expectInvariants(db: Queryable, userId: string, { limit, calls }: { limit?: number; calls?: number } = {}) {
  const s = await usageState(db, userId);
  const problems: string[] = [];
  if (s.total !== s.recordsTotal) problems.push(`monthly_usage ${s.total} != sum of usage_records ${s.recordsTotal}`);
  if (s.requests !== s.records) problems.push(`request_count ${s.requests} != records ${s.records}`);
  if (s.reserved !== 0 || s.reservations !== 0) problems.push(`left reserved: ${s.reserved} tokens in ${s.reservations} reservations`);
  if (limit !== undefined && s.total > limit) problems.push(`usage ${s.total} exceeds the limit ${limit}`);
  if (calls !== undefined && s.records !== calls) problems.push(`${s.records} usage records for ${calls} model calls`);
  if (problems.length) throw new Error(`invariants broken: ${problems.join('; ')}`);
  return s;
}

/**
 * Invariants 1 and 2 for every budget level in the database at once (docs/decisions/019): each
 * API key's month, each team's pool and each member's share of it equals the sum of its records
 * and stays within its cap; nothing stays reserved. Answers the problems found (empty when none).
 * A team's pool limit depends on the tier table: check it with teamPoolProblems.
 */
export async function budgetProblems(db: Queryable): Promise<string[]> {
  const problems: string[] = [];
  const { rows: orphans } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT DISTINCT key_id, month FROM usage_records WHERE key_id IS NOT NULL) r
     WHERE NOT EXISTS (SELECT 1 FROM key_monthly_usage k WHERE k.key_id = r.key_id AND k.month = r.month)`,
  );
  if (orphans[0]!.n > 0) problems.push(`${orphans[0]!.n} key months with records but no aggregate`);

  // Each key's month, each team's pool and each member's share of it: equal to their records,
  // within the key's and the member's cap, nothing reserved.
  const { rows: levels } = await db.query<{
    level: string;
    id: string;
    month: string;
    total: number;
    reserved: number;
    requests: number;
    records: number;
    sum: number;
    cap: number | null;
  }>(
    `SELECT 'key' AS level, k.key_id::text AS id, k.month, k.total_tokens::int AS total, k.reserved_tokens::int AS reserved, k.request_count AS requests,
            (SELECT count(*)::int FROM usage_records r WHERE r.key_id = k.key_id AND r.month = k.month) AS records,
            (SELECT COALESCE(sum(total_tokens), 0)::int FROM usage_records r WHERE r.key_id = k.key_id AND r.month = k.month) AS sum,
            (SELECT monthly_token_cap::int FROM api_keys a WHERE a.id = k.key_id) AS cap
     FROM key_monthly_usage k
     UNION ALL
     SELECT 'team', t.team_id::text, t.month, t.total_tokens::int, t.reserved_tokens::int, t.request_count,
            (SELECT count(*)::int FROM usage_records r WHERE r.team_id = t.team_id AND r.month = t.month),
            (SELECT COALESCE(sum(total_tokens), 0)::int FROM usage_records r WHERE r.team_id = t.team_id AND r.month = t.month),
            NULL::int
     FROM team_monthly_usage t
     UNION ALL
     SELECT 'member', m.team_id || '/' || m.user_id, m.month, m.total_tokens::int, m.reserved_tokens::int, m.request_count,
            (SELECT count(*)::int FROM usage_records r WHERE r.team_id = m.team_id AND r.user_id = m.user_id AND r.month = m.month),
            (SELECT COALESCE(sum(total_tokens), 0)::int FROM usage_records r WHERE r.team_id = m.team_id AND r.user_id = m.user_id AND r.month = m.month),
            (SELECT monthly_token_cap::int FROM team_members tm WHERE tm.team_id = m.team_id AND tm.user_id = m.user_id)
     FROM team_member_monthly_usage m WHERE m.user_id IS NOT NULL`,
  );
  for (const l of levels) {
    if (l.total !== l.sum) problems.push(`${l.level} ${l.id} ${l.month}: ${l.total} != sum of records ${l.sum}`);
    if (l.requests !== l.records) problems.push(`${l.level} ${l.id} ${l.month}: request_count ${l.requests} != records ${l.records}`);
    if (l.reserved !== 0) problems.push(`${l.level} ${l.id} ${l.month}: ${l.reserved} tokens left reserved`);
    if (l.cap !== null && l.total > l.cap) problems.push(`${l.level} ${l.id} ${l.month}: ${l.total} over its cap ${l.cap}`);
  }
  const { rows: untracked } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT DISTINCT team_id, month FROM usage_records WHERE team_id IS NOT NULL) r
     WHERE NOT EXISTS (SELECT 1 FROM team_monthly_usage t WHERE t.team_id = r.team_id AND t.month = r.month)`,
  );
  if (untracked[0]!.n > 0) problems.push(`${untracked[0]!.n} team months with records but no pool row`);
  return problems;
}

export async function expectBudgetInvariants(db: Queryable) {
  const problems = await budgetProblems(db);
  if (problems.length) throw new Error(`budget invariants broken: ${problems.join('; ')}`);
}

/** Teams whose month went past their pool (the tier's monthly tokens, as the caller's tier table says). */
export async function teamPoolProblems(db: Queryable, poolOf: (tier: string) => number): Promise<string[]> {
  const { rows } = await db.query<{ team_id: string; month: string; total: number; tier: string }>(
    'SELECT u.team_id, u.month, u.total_tokens::int AS total, t.tier FROM team_monthly_usage u JOIN teams t ON t.id = u.team_id',
  );
  return rows.filter((r) => r.total > poolOf(r.tier)).map((r) => `team ${r.team_id} ${r.month}: ${r.total} over its pool ${poolOf(r.tier)}`);
}
