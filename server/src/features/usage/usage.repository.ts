// The SQL of metering: a call's settlement and the release of a reservation, one statement each (one
// round trip, atomic on its own); the reservation is budget.repository.ts's reserveAtOnce, one statement too.
import type { Db, Queryable } from '../../platform/db/db.js';
import { idsOf, locksFirst, releaseMoves, settleMoves, type BudgetAccount } from './budget.repository.js';

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
  /** The API key the call was charged to, if any. */
  key_id: string | null;
  /** The team the call was charged to, if any (then not the user's personal month). */
  team_id: string | null;
}

export async function findMonthlyUsage(db: Queryable, { userId, month }: { userId: string; month: string }) {
  const { rows } = await db.query<MonthlyUsageRow>(
    `SELECT total_tokens, input_tokens, output_tokens, reserved_tokens, request_count, cost_nanousd::text AS cost_nanousd
     FROM monthly_usage WHERE user_id = $1 AND month = $2`,
    [userId, month],
  );
  return rows[0];
}

/**
 * The accounts a call is charged to (budget.repository.ts): a team's call to the team's pool and
 * the member's share of it, a personal call to the user's month; the key's month either way.
 */
export function accountsOf(r: { user_id: string; key_id: string | null; team_id: string | null }): BudgetAccount[] {
  const key: BudgetAccount[] = r.key_id ? [{ kind: 'key', keyId: r.key_id }] : [];
  if (r.team_id) return [{ kind: 'team', teamId: r.team_id }, { kind: 'member', teamId: r.team_id, userId: r.user_id }, ...key];
  return [...key, { kind: 'user', userId: r.user_id }];
}

/**
 * Removes a reservation and gives its tokens back to every account it held them of, in one
 * statement (after locking those rows in the lock order when there are several); undefined if
 * already gone.
 */
export async function deleteReservation(db: Db, { requestId }: { requestId: string }): Promise<{ tokens: number } | undefined> {
  const { rows: found } = await db.query<{ user_id: string; key_id: string | null; team_id: string | null; month: string }>(
    'SELECT user_id, key_id, team_id, month FROM usage_reservations WHERE request_id = $1',
    [requestId],
  );
  if (!found[0]) return undefined;
  const accounts = accountsOf(found[0]);
  const params: unknown[] = [requestId];
  const moves = accounts.map((account, i) => {
    const first = params.length + 1;
    params.push(...idsOf(account));
    return releaseMoves(account, `month_${i}`, first);
  });
  const locks = locksFirst(accounts, params, '(SELECT month FROM usage_reservations WHERE request_id = $1)');
  const { rows } = await db.query<{ tokens: number }>(
    `WITH ${[...locks.ctes, `gone AS (DELETE FROM usage_reservations WHERE request_id = $1${locks.after} RETURNING month, tokens)`, ...moves].join(', ')}
     SELECT tokens FROM gone`,
    params,
  );
  return rows[0];
}

export async function findExpiredReservations(db: Queryable, { now, limit }: { now: Date; limit: number }): Promise<ReservationRow[]> {
  const { rows } = await db.query<ReservationRow>(
    `SELECT request_id, user_id, month, tokens, prompt_tokens, model, provider, conversation_id, message_id, key_id, team_id
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
  /** The API key the call was charged to (null: none). */
  keyId: string | null;
  /** The team the call was charged to (null: the user's personal month). */
  teamId: string | null;
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
 * Settles a call in one statement: deletes its reservation, writes its one record, and moves each
 * account's month (the user's; the key's when there is one) by the record's amounts and the
 * reservation's release. Keyed by request id: a second settle of the same call (a retry, or one
 * racing the reaper) inserts nothing and moves nothing. `reservedTokens` is what the deleted
 * reservation held (undefined if there was none). With several accounts, their rows are locked in
 * the lock order first, in the same transaction.
 */
export async function settleUsage(db: Db, r: NewUsageRecord): Promise<{ recorded: boolean; reservedTokens: number | undefined }> {
  const total = r.inputTokens + r.outputTokens;
  const accounts = accountsOf({ user_id: r.userId, key_id: r.keyId, team_id: r.teamId });
  const params: unknown[] = [
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
    r.keyId,
    r.teamId,
  ];
  const moves = accounts.map((account, i) => {
    const first = params.length + 1;
    params.push(...idsOf(account));
    return settleMoves(account, `month_${i}`, first);
  });
  // The month of the call's reservation, or r.month when it has none (any more).
  const locks = locksFirst(accounts, params, 'COALESCE((SELECT month FROM usage_reservations WHERE request_id = $1), $3)');
  const { rows } = await db.query<{ recorded: boolean; reserved_tokens: number | null }>(
    `WITH ${[
      ...locks.ctes,
      `reservation AS (
         DELETE FROM usage_reservations WHERE request_id = $1${locks.after}
         RETURNING month, tokens, conversation_id, message_id, provider
       ), record AS (
         INSERT INTO usage_records (request_id, user_id, key_id, team_id, month, conversation_id, message_id, provider, model,
           input_tokens, output_tokens, total_tokens, cost_nanousd, usage_source, outcome, created_at)
         SELECT $1, $2, $15, $16, COALESCE(reservation.month, $3), COALESCE($4, reservation.conversation_id), COALESCE($5, reservation.message_id),
           COALESCE($6, reservation.provider, 'unknown'), $7, $8, $9, $10, $11, $12, $13, $14
         FROM (SELECT 1) AS one LEFT JOIN reservation ON true
         ON CONFLICT (request_id) DO NOTHING
         RETURNING month
       )`,
      ...moves,
    ].join(', ')}
     SELECT EXISTS (SELECT 1 FROM record) AS recorded, (SELECT tokens FROM reservation) AS reserved_tokens`,
    params,
  );
  const row = rows[0]!;
  return { recorded: row.recorded, reservedTokens: row.reserved_tokens === null ? undefined : Number(row.reserved_tokens) };
}
