import type { Queryable } from '../../platform/db/db.js';

export interface ModelUsageRow {
  model: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_nanousd: string;
}

export interface DayUsageRow {
  date: string;
  requests: number;
  total_tokens: number;
}

/** userId undefined: every user (admin totals). */
export async function sumUsageByModel(db: Queryable, { userId, month }: { userId?: string; month: string }) {
  const { rows } = await db.query<ModelUsageRow>(
    `SELECT model, count(*)::int AS requests, sum(input_tokens)::bigint AS input_tokens,
            sum(output_tokens)::bigint AS output_tokens, sum(total_tokens)::bigint AS total_tokens,
            sum(cost_nanousd)::text AS cost_nanousd
     FROM usage_records WHERE month = $1 AND ($2::uuid IS NULL OR user_id = $2)
     GROUP BY model ORDER BY total_tokens DESC, model`,
    [month, userId ?? null],
  );
  return rows;
}

export async function sumUsageByDay(db: Queryable, { userId, month }: { userId?: string; month: string }) {
  const { rows } = await db.query<DayUsageRow>(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date, count(*)::int AS requests,
            sum(total_tokens)::bigint AS total_tokens
     FROM usage_records WHERE month = $1 AND ($2::uuid IS NULL OR user_id = $2)
     GROUP BY 1 ORDER BY 1`,
    [month, userId ?? null],
  );
  return rows;
}

/** Each user's aggregate for the month (admin totals); users without usage have no row. */
export async function sumUsageByUser(db: Queryable, { month }: { month: string }) {
  const { rows } = await db.query<{ user_id: string; total_tokens: number; cost_nanousd: string; requests: number }>(
    `SELECT user_id, total_tokens, cost_nanousd::text AS cost_nanousd, request_count AS requests
     FROM monthly_usage WHERE month = $1`,
    [month],
  );
  return rows;
}

/** The month's used and reserved tokens of the given users; users without usage have no row. */
export async function findMonthlyUsageOfUsers(db: Queryable, { userIds, month }: { userIds: string[]; month: string }) {
  if (userIds.length === 0) return [];
  const { rows } = await db.query<{ user_id: string; total_tokens: number; reserved_tokens: number }>(
    'SELECT user_id, total_tokens, reserved_tokens FROM monthly_usage WHERE month = $1 AND user_id = ANY($2::uuid[])',
    [month, userIds],
  );
  return rows;
}

/** The month's used and reserved tokens of the given API keys; keys without usage have no row. */
export async function findMonthlyUsageOfKeys(db: Queryable, { keyIds, month }: { keyIds: string[]; month: string }) {
  if (keyIds.length === 0) return [];
  const { rows } = await db.query<{ key_id: string; total_tokens: number; reserved_tokens: number }>(
    'SELECT key_id, total_tokens, reserved_tokens FROM key_monthly_usage WHERE month = $1 AND key_id = ANY($2::uuid[])',
    [month, keyIds],
  );
  return rows;
}
