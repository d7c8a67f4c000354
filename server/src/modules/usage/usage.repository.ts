import type { Queryable } from '../../db/db.js';

export interface MonthlyUsageRow {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  reserved_tokens: number;
  request_count: number;
  cost_nanousd: string;
}

export interface ReservationRow {
  request_id: string;
  user_id: string;
  month: string;
  tokens: number;
  prompt_tokens: number;
  model: string;
  provider: string;
  conversation_id: string | null;
  message_id: string | null;
}

export async function ensureMonthlyUsage(db: Queryable, { userId, month }: { userId: string; month: string }) {
  await db.query('INSERT INTO monthly_usage (user_id, month) VALUES ($1, $2) ON CONFLICT (user_id, month) DO NOTHING', [userId, month]);
}

/** Row-locks the month: concurrent reservations for one user, in any process, queue here. */
export async function lockMonthlyUsage(db: Queryable, { userId, month }: { userId: string; month: string }) {
  const { rows } = await db.query<MonthlyUsageRow>(
    `SELECT total_tokens, input_tokens, output_tokens, reserved_tokens, request_count, cost_nanousd::text AS cost_nanousd
     FROM monthly_usage WHERE user_id = $1 AND month = $2 FOR UPDATE`,
    [userId, month],
  );
  return rows[0]!;
}

export async function findMonthlyUsage(db: Queryable, { userId, month }: { userId: string; month: string }) {
  const { rows } = await db.query<MonthlyUsageRow>(
    `SELECT total_tokens, input_tokens, output_tokens, reserved_tokens, request_count, cost_nanousd::text AS cost_nanousd
     FROM monthly_usage WHERE user_id = $1 AND month = $2`,
    [userId, month],
  );
  return rows[0];
}

export async function insertReservation(db: Queryable, r: ReservationRow & { expiresAt: Date }) {
  await db.query(
    `INSERT INTO usage_reservations (request_id, user_id, month, tokens, prompt_tokens, model, provider, conversation_id, message_id, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [r.request_id, r.user_id, r.month, r.tokens, r.prompt_tokens, r.model, r.provider, r.conversation_id, r.message_id, r.expiresAt],
  );
  await db.query('UPDATE monthly_usage SET reserved_tokens = reserved_tokens + $3, updated_at = now() WHERE user_id = $1 AND month = $2', [
    r.user_id,
    r.month,
    r.tokens,
  ]);
}

/** Removes a reservation and gives its tokens back to the month; undefined if already gone. */
export async function deleteReservation(db: Queryable, { requestId }: { requestId: string }): Promise<ReservationRow | undefined> {
  const { rows } = await db.query<ReservationRow>(
    `DELETE FROM usage_reservations WHERE request_id = $1
     RETURNING request_id, user_id, month, tokens, prompt_tokens, model, provider, conversation_id, message_id`,
    [requestId],
  );
  const r = rows[0];
  if (r) {
    await db.query('UPDATE monthly_usage SET reserved_tokens = reserved_tokens - $3, updated_at = now() WHERE user_id = $1 AND month = $2', [
      r.user_id,
      r.month,
      r.tokens,
    ]);
  }
  return r;
}

export async function findExpiredReservationIds(db: Queryable, { now, limit }: { now: Date; limit: number }): Promise<string[]> {
  const { rows } = await db.query<{ request_id: string }>(
    'SELECT request_id FROM usage_reservations WHERE expires_at < $1 ORDER BY expires_at LIMIT $2',
    [now, limit],
  );
  return rows.map((r) => r.request_id);
}

export interface NewUsageRecord {
  requestId: string;
  userId: string;
  month: string;
  conversationId: string | null;
  messageId: string | null;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costNanoUsd: bigint;
  source: 'provider' | 'estimate';
  outcome: 'complete' | 'stopped' | 'failed';
  createdAt: Date;
}

/**
 * Writes the call's one record and moves the month's aggregate by the same amounts. Keyed by
 * request id: a second settle of the same call inserts nothing and moves nothing.
 */
export async function insertUsageRecordAndAggregate(db: Queryable, r: NewUsageRecord): Promise<boolean> {
  const total = r.inputTokens + r.outputTokens;
  const { rowCount } = await db.query(
    `INSERT INTO usage_records (request_id, user_id, month, conversation_id, message_id, provider, model,
       input_tokens, output_tokens, total_tokens, cost_nanousd, usage_source, outcome, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (request_id) DO NOTHING`,
    [r.requestId, r.userId, r.month, r.conversationId, r.messageId, r.provider, r.model, r.inputTokens, r.outputTokens, total, r.costNanoUsd.toString(), r.source, r.outcome, r.createdAt],
  );
  if (rowCount === 0) return false;
  await ensureMonthlyUsage(db, { userId: r.userId, month: r.month });
  await db.query(
    `UPDATE monthly_usage SET
       input_tokens = input_tokens + $3, output_tokens = output_tokens + $4, total_tokens = total_tokens + $5,
       cost_nanousd = cost_nanousd + $6, request_count = request_count + 1, updated_at = now()
     WHERE user_id = $1 AND month = $2`,
    [r.userId, r.month, r.inputTokens, r.outputTokens, total, r.costNanoUsd.toString()],
  );
  return true;
}
