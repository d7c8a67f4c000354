import type { Queryable } from '../../db/db.js';

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

export async function sumUsageByTier(db: Queryable, { month }: { month: string }) {
  const { rows } = await db.query<{ tier: string; users: number; total_tokens: number; cost_nanousd: string; requests: number }>(
    `SELECT u.tier, count(DISTINCT u.id)::int AS users, COALESCE(sum(m.total_tokens), 0)::bigint AS total_tokens,
            COALESCE(sum(m.cost_nanousd), 0)::text AS cost_nanousd, COALESCE(sum(m.request_count), 0)::int AS requests
     FROM users u LEFT JOIN monthly_usage m ON m.user_id = u.id AND m.month = $1
     GROUP BY u.tier ORDER BY u.tier`,
    [month],
  );
  return rows;
}

export async function setMonthlyTokenCap(db: Queryable, { userId, cap }: { userId: string; cap: number | null }) {
  await db.query('UPDATE users SET monthly_token_cap = $2, updated_at = now() WHERE id = $1', [userId, cap]);
}
