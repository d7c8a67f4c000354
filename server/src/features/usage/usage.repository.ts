// The SQL of metering. Each call's reservation and its settlement are one statement each (one
// round trip, atomic on its own): the hot path of every model call is two statements here.
import type { Queryable } from '../../platform/db/db.js';

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

export async function findMonthlyUsage(db: Queryable, { userId, month }: { userId: string; month: string }) {
  const { rows } = await db.query<MonthlyUsageRow>(
    `SELECT total_tokens, input_tokens, output_tokens, reserved_tokens, request_count, cost_nanousd::text AS cost_nanousd
     FROM monthly_usage WHERE user_id = $1 AND month = $2`,
    [userId, month],
  );
  return rows[0];
}

export interface NewReservation extends Omit<ReservationRow, 'tokens'> {
  /** The prompt's share of the reservation (prompt tokens with the tokenizer's margin). */
  promptShare: number;
  /** The output cap asked for; lowered to what the month has left. */
  maxOutputTokens: number;
  limit: number;
  expiresAt: Date;
}

export type ReserveOutcome =
  /** before: the month's total and reserved tokens as the statement found them, this grant not counted. */
  | { kind: 'granted'; tokens: number; before: { total_tokens: number; reserved_tokens: number } }
  | { kind: 'refused'; usage: { total_tokens: number; reserved_tokens: number } }
  /** No monthly_usage row yet: make it (ensureMonthlyUsage) and try again. */
  | { kind: 'no-month' };

/**
 * Reserves promptShare + the output cap against the month, the cap lowered to what remains, in one
 * statement: the month's row is locked (FOR UPDATE: concurrent reservations for one user, in any
 * process, queue here), checked against the limit, moved, and the reservation written, or nothing
 * is written when not even the prompt and one output token fit.
 */
export async function reserveTokens(db: Queryable, r: NewReservation): Promise<ReserveOutcome> {
  const { rows } = await db.query<{ total_tokens: number; reserved_tokens: number; granted: number | null }>(
    `WITH month_row AS (
       SELECT total_tokens, reserved_tokens FROM monthly_usage WHERE user_id = $1 AND month = $2 FOR UPDATE
     ), granted AS (
       SELECT $3::bigint + LEAST($4::bigint, $5::bigint - total_tokens - reserved_tokens - $3::bigint) AS tokens
       FROM month_row WHERE $5::bigint - total_tokens - reserved_tokens >= $3::bigint + 1
     ), moved AS (
       UPDATE monthly_usage SET reserved_tokens = reserved_tokens + (SELECT tokens FROM granted), updated_at = now()
       WHERE user_id = $1 AND month = $2 AND EXISTS (SELECT 1 FROM granted)
     ), written AS (
       INSERT INTO usage_reservations (request_id, user_id, month, tokens, prompt_tokens, model, provider, conversation_id, message_id, expires_at)
       SELECT $6, $1, $2, tokens, $7, $8, $9, $10, $11, $12 FROM granted
     )
     SELECT total_tokens, reserved_tokens, (SELECT tokens FROM granted) AS granted FROM month_row`,
    [
      r.user_id,
      r.month,
      r.promptShare,
      r.maxOutputTokens,
      r.limit,
      r.request_id,
      r.prompt_tokens,
      r.model,
      r.provider,
      r.conversation_id,
      r.message_id,
      r.expiresAt,
    ],
  );
  const row = rows[0];
  if (!row) return { kind: 'no-month' };
  if (row.granted === null) return { kind: 'refused', usage: { total_tokens: row.total_tokens, reserved_tokens: row.reserved_tokens } };
  return { kind: 'granted', tokens: Number(row.granted), before: { total_tokens: Number(row.total_tokens), reserved_tokens: Number(row.reserved_tokens) } };
}

/** Removes a reservation and gives its tokens back to the month, in one statement; undefined if already gone. */
export async function deleteReservation(db: Queryable, { requestId }: { requestId: string }): Promise<{ tokens: number } | undefined> {
  const { rows } = await db.query<{ tokens: number }>(
    `WITH gone AS (DELETE FROM usage_reservations WHERE request_id = $1 RETURNING user_id, month, tokens)
     UPDATE monthly_usage AS m SET reserved_tokens = m.reserved_tokens - gone.tokens, updated_at = now()
     FROM gone WHERE m.user_id = gone.user_id AND m.month = gone.month
     RETURNING gone.tokens`,
    [requestId],
  );
  return rows[0];
}

export async function findExpiredReservations(db: Queryable, { now, limit }: { now: Date; limit: number }): Promise<ReservationRow[]> {
  const { rows } = await db.query<ReservationRow>(
    `SELECT request_id, user_id, month, tokens, prompt_tokens, model, provider, conversation_id, message_id
     FROM usage_reservations WHERE expires_at < $1 ORDER BY expires_at LIMIT $2`,
    [now, limit],
  );
  return rows;
}

export interface NewUsageRecord {
  requestId: string;
  userId: string;
  /** The month charged when the call has no reservation (any more); otherwise the reservation's. */
  month: string;
  conversationId: string | null;
  messageId: string | null;
  /** Undefined: the reservation's. */
  provider: string | undefined;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costNanoUsd: bigint;
  source: 'provider' | 'estimate';
  outcome: 'complete' | 'stopped' | 'failed';
  createdAt: Date;
}

/**
 * Settles a call in one statement: deletes its reservation, writes its one record, and moves the
 * month's aggregate by the record's amounts and the reservation's release. Keyed by request id: a
 * second settle of the same call (a retry, or one racing the reaper) inserts nothing and moves
 * nothing. `reservedTokens` is what the deleted reservation held (undefined if there was none).
 */
export async function settleUsage(db: Queryable, r: NewUsageRecord): Promise<{ recorded: boolean; reservedTokens: number | undefined }> {
  const total = r.inputTokens + r.outputTokens;
  const { rows } = await db.query<{ recorded: boolean; reserved_tokens: number | null }>(
    `WITH reservation AS (
       DELETE FROM usage_reservations WHERE request_id = $1
       RETURNING month, tokens, conversation_id, message_id, provider
     ), record AS (
       INSERT INTO usage_records (request_id, user_id, month, conversation_id, message_id, provider, model,
         input_tokens, output_tokens, total_tokens, cost_nanousd, usage_source, outcome, created_at)
       SELECT $1, $2, COALESCE(reservation.month, $3), COALESCE($4, reservation.conversation_id), COALESCE($5, reservation.message_id),
         COALESCE($6, reservation.provider, 'unknown'), $7, $8, $9, $10, $11, $12, $13, $14
       FROM (SELECT 1) AS one LEFT JOIN reservation ON true
       ON CONFLICT (request_id) DO NOTHING
       RETURNING month
     ), aggregate AS (
       INSERT INTO monthly_usage AS m (user_id, month, input_tokens, output_tokens, total_tokens, cost_nanousd, request_count)
       SELECT $2, record.month, $8, $9, $10, $11, 1 FROM record
       ON CONFLICT (user_id, month) DO UPDATE SET
         input_tokens = m.input_tokens + EXCLUDED.input_tokens, output_tokens = m.output_tokens + EXCLUDED.output_tokens,
         total_tokens = m.total_tokens + EXCLUDED.total_tokens, cost_nanousd = m.cost_nanousd + EXCLUDED.cost_nanousd,
         request_count = m.request_count + 1,
         reserved_tokens = m.reserved_tokens - COALESCE((SELECT tokens FROM reservation), 0), updated_at = now()
     ), released_only AS (
       -- A reservation whose call was somehow recorded already: give its tokens back all the same.
       UPDATE monthly_usage AS m SET reserved_tokens = m.reserved_tokens - reservation.tokens, updated_at = now()
       FROM reservation WHERE m.user_id = $2 AND m.month = reservation.month AND NOT EXISTS (SELECT 1 FROM record)
     )
     SELECT EXISTS (SELECT 1 FROM record) AS recorded, (SELECT tokens FROM reservation) AS reserved_tokens`,
    [
      r.requestId,
      r.userId,
      r.month,
      r.conversationId,
      r.messageId,
      r.provider ?? null,
      r.model,
      r.inputTokens,
      r.outputTokens,
      total,
      r.costNanoUsd.toString(),
      r.source,
      r.outcome,
      r.createdAt,
    ],
  );
  const row = rows[0]!;
  return { recorded: row.recorded, reservedTokens: row.reserved_tokens === null ? undefined : Number(row.reserved_tokens) };
}
