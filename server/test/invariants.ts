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
