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

/**
 * A user's personal month (calls charged to no team), or with userId undefined every call (admin
 * totals).
 */
export async function sumUsageByModel(db: Queryable, { userId, month }: { userId?: string; month: string }) {
  const { rows } = await db.query<ModelUsageRow>(
    `SELECT model, count(*)::int AS requests, sum(input_tokens)::bigint AS input_tokens,
            sum(output_tokens)::bigint AS output_tokens, sum(total_tokens)::bigint AS total_tokens,
            sum(cost_nanousd)::text AS cost_nanousd
     FROM usage_records WHERE month = $1 AND ($2::uuid IS NULL OR (user_id = $2 AND team_id IS NULL))
     GROUP BY model ORDER BY total_tokens DESC, model`,
    [month, userId ?? null],
  );
  return rows;
}

export async function sumUsageByDay(db: Queryable, { userId, month }: { userId?: string; month: string }) {
  const { rows } = await db.query<DayUsageRow>(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date, count(*)::int AS requests,
            sum(total_tokens)::bigint AS total_tokens
     FROM usage_records WHERE month = $1 AND ($2::uuid IS NULL OR (user_id = $2 AND team_id IS NULL))
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

/** Each team pool's aggregate for the month (admin totals); teams without usage have no row. */
export async function sumUsageByTeam(db: Queryable, { month }: { month: string }) {
  const { rows } = await db.query<{ team_id: string; total_tokens: number; cost_nanousd: string; requests: number }>(
    `SELECT team_id, total_tokens, cost_nanousd::text AS cost_nanousd, request_count AS requests
     FROM team_monthly_usage WHERE month = $1`,
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

export interface BudgetMonthRow {
  total_tokens: number;
  reserved_tokens: number;
  request_count: number;
  cost_nanousd: string;
}

/** A team's pool this month; undefined before its first call. */
export async function findTeamMonth(db: Queryable, { teamId, month }: { teamId: string; month: string }) {
  const { rows } = await db.query<BudgetMonthRow>(
    'SELECT total_tokens, reserved_tokens, request_count, cost_nanousd::text AS cost_nanousd FROM team_monthly_usage WHERE team_id = $1 AND month = $2',
    [teamId, month],
  );
  return rows[0];
}

/** Each member's use of a team's pool this month (userId: that member's only). */
export async function findTeamMemberMonths(db: Queryable, { teamId, month, userId }: { teamId: string; month: string; userId?: string }) {
  const { rows } = await db.query<BudgetMonthRow & { user_id: string }>(
    `SELECT user_id, total_tokens, reserved_tokens, request_count, cost_nanousd::text AS cost_nanousd
     FROM team_member_monthly_usage WHERE team_id = $1 AND month = $2 AND user_id IS NOT NULL AND ($3::uuid IS NULL OR user_id = $3)`,
    [teamId, month, userId ?? null],
  );
  return rows;
}

/** A team's month by model (userId: that member's calls only). */
export async function sumTeamUsageByModel(db: Queryable, { teamId, month, userId }: { teamId: string; month: string; userId?: string }) {
  const { rows } = await db.query<ModelUsageRow>(
    `SELECT model, count(*)::int AS requests, sum(input_tokens)::bigint AS input_tokens,
            sum(output_tokens)::bigint AS output_tokens, sum(total_tokens)::bigint AS total_tokens,
            sum(cost_nanousd)::text AS cost_nanousd
     FROM usage_records WHERE team_id = $1 AND month = $2 AND ($3::uuid IS NULL OR user_id = $3)
     GROUP BY model ORDER BY total_tokens DESC, model`,
    [teamId, month, userId ?? null],
  );
  return rows;
}
