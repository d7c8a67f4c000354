// DESIGN.md's invariants 1 and 2, checked from the database after a test has done its damage.
import type { Queryable } from '../src/platform/db/db.js';

export async function usageState(db: Queryable, userId: string) {
  const { rows: month } = await db.query<{ total_tokens: number; reserved_tokens: number; request_count: number }>(
    'SELECT total_tokens, reserved_tokens, request_count FROM monthly_usage WHERE user_id = $1',
    [userId],
  );
  const { rows: records } = await db.query<{ n: number; total: number }>(
    'SELECT count(*)::int AS n, COALESCE(sum(total_tokens), 0)::int AS total FROM usage_records WHERE user_id = $1',
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
 * API key's month equals the sum of its records and stays within the key's cap; nothing stays
 * reserved. Answers the problems found (empty when none).
 */
export async function budgetProblems(db: Queryable): Promise<string[]> {
  const problems: string[] = [];
  const { rows: keys } = await db.query<{
    key_id: string;
    month: string;
    total: number;
    reserved: number;
    requests: number;
    records: number;
    sum: number;
    cap: number | null;
  }>(
    `SELECT k.key_id, k.month, k.total_tokens::int AS total, k.reserved_tokens::int AS reserved, k.request_count AS requests,
            (SELECT count(*)::int FROM usage_records r WHERE r.key_id = k.key_id AND r.month = k.month) AS records,
            (SELECT COALESCE(sum(total_tokens), 0)::int FROM usage_records r WHERE r.key_id = k.key_id AND r.month = k.month) AS sum,
            (SELECT monthly_token_cap::int FROM api_keys a WHERE a.id = k.key_id) AS cap
     FROM key_monthly_usage k`,
  );
  for (const k of keys) {
    if (k.total !== k.sum) problems.push(`key ${k.key_id} ${k.month}: ${k.total} != sum of records ${k.sum}`);
    if (k.requests !== k.records) problems.push(`key ${k.key_id} ${k.month}: request_count ${k.requests} != records ${k.records}`);
    if (k.reserved !== 0) problems.push(`key ${k.key_id} ${k.month}: ${k.reserved} tokens left reserved`);
    if (k.cap !== null && k.total > k.cap) problems.push(`key ${k.key_id} ${k.month}: ${k.total} over its cap ${k.cap}`);
  }
  const { rows: orphans } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT DISTINCT key_id, month FROM usage_records WHERE key_id IS NOT NULL) r
     WHERE NOT EXISTS (SELECT 1 FROM key_monthly_usage k WHERE k.key_id = r.key_id AND k.month = r.month)`,
  );
  if (orphans[0]!.n > 0) problems.push(`${orphans[0]!.n} key months with records but no aggregate`);
  return problems;
}

export async function expectBudgetInvariants(db: Queryable) {
  const problems = await budgetProblems(db);
  if (problems.length) throw new Error(`budget invariants broken: ${problems.join('; ')}`);
}
