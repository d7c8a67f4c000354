// The SQL of metering: the settlement of calls (one or many: those that end together share one
// statement) and the release of a reservation, one statement each (one round trip, atomic on its
// own); the reservation is budget.repository.ts's reserveAtOnce, one statement too.
import type { Db, Queryable } from '../../platform/db/db.js';
import { idsOf, locksFirst, releaseMoves, settleBatchParts, type BudgetAccount } from './budget.repository.js';

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

export interface Settlement {
  /** False when the call was recorded already (a retry, or the reaper first): nothing moved but a reservation left. */
  recorded: boolean;
  /** What the deleted reservation held; undefined if there was none. */
  reservedTokens: number | undefined;
}

// The settling statement is the same text for every batch (its calls are one jsonb parameter):
// built once, prepared once per connection.
const { locks, locked, moves } = settleBatchParts();
const SETTLE_SQL = `WITH calls AS (
       SELECT c.*, COALESCE(r.month, c.month) AS charged_month
       FROM jsonb_to_recordset($1::jsonb) AS c(request_id uuid, user_id uuid, key_id uuid, team_id uuid, month char(7), conversation_id uuid,
         message_id uuid, provider text, model text, input_tokens bigint, output_tokens bigint, total_tokens bigint, cost_nanousd bigint,
         usage_source text, outcome text, created_at timestamptz)
       LEFT JOIN usage_reservations r ON r.request_id = c.request_id
     ), ${locks.join(', ')},
     reservation AS (
       DELETE FROM usage_reservations r USING calls c WHERE r.request_id = c.request_id${locked}
       RETURNING r.request_id, r.month, r.tokens, r.conversation_id, r.message_id, r.provider
     ), record AS (
       INSERT INTO usage_records (request_id, user_id, key_id, team_id, month, conversation_id, message_id, provider, model,
         input_tokens, output_tokens, total_tokens, cost_nanousd, usage_source, outcome, created_at)
       SELECT c.request_id, c.user_id, c.key_id, c.team_id, COALESCE(res.month, c.month), COALESCE(c.conversation_id, res.conversation_id),
         COALESCE(c.message_id, res.message_id), COALESCE(c.provider, res.provider, 'unknown'), c.model,
         c.input_tokens, c.output_tokens, c.total_tokens, c.cost_nanousd, c.usage_source, c.outcome, c.created_at
       FROM calls c LEFT JOIN reservation res ON res.request_id = c.request_id
       ON CONFLICT (request_id) DO NOTHING
       RETURNING request_id
     ), moved AS (
       SELECT c.user_id, c.key_id, c.team_id, c.charged_month AS month, COALESCE(res.tokens, 0) AS released,
         CASE WHEN rec.request_id IS NULL THEN 0 ELSE c.input_tokens END AS input_tokens,
         CASE WHEN rec.request_id IS NULL THEN 0 ELSE c.output_tokens END AS output_tokens,
         CASE WHEN rec.request_id IS NULL THEN 0 ELSE c.total_tokens END AS total_tokens,
         CASE WHEN rec.request_id IS NULL THEN 0 ELSE c.cost_nanousd END AS cost_nanousd,
         CASE WHEN rec.request_id IS NULL THEN 0 ELSE 1 END AS requests
       FROM calls c LEFT JOIN record rec ON rec.request_id = c.request_id LEFT JOIN reservation res ON res.request_id = c.request_id
       WHERE rec.request_id IS NOT NULL OR res.request_id IS NOT NULL
     ), ${moves.join(', ')}
     SELECT c.request_id, rec.request_id IS NOT NULL AS recorded, res.tokens AS reserved_tokens
     FROM calls c LEFT JOIN record rec ON rec.request_id = c.request_id LEFT JOIN reservation res ON res.request_id = c.request_id`;

/**
 * Settles calls in one statement, however many: deletes each one's reservation, writes its one
 * record, and moves each account's month (the user's or the team's and the member's; the key's
 * when there is one) by the records' amounts and the reservations' release. Keyed by request id: a
 * second settle of the same call (a retry, or one racing the reaper) inserts nothing and moves
 * only a reservation still left. Every month row of the batch is locked first, in the lock order.
 * Answers one settlement per record, in order.
 */
export async function settleUsage(db: Queryable, records: NewUsageRecord[]): Promise<Settlement[]> {
  // One call twice in a batch: the second finds the first's record, as a second statement would.
  const first = new Map<string, number>();
  records.forEach((r, i) => {
    if (!first.has(r.requestId)) first.set(r.requestId, i);
  });
  const unique = records.filter((r, i) => first.get(r.requestId) === i);
  const calls = unique.map((r) => ({
    request_id: r.requestId,
    user_id: r.userId,
    key_id: r.keyId,
    team_id: r.teamId,
    month: r.month,
    conversation_id: r.conversationId,
    message_id: r.messageId,
    provider: r.provider ?? null,
    model: r.model,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    total_tokens: r.inputTokens + r.outputTokens,
    cost_nanousd: r.costNanoUsd.toString(),
    usage_source: r.source,
    outcome: r.outcome,
    created_at: r.createdAt.toISOString(),
  }));
  const { rows } = await db.query<{ request_id: string; recorded: boolean; reserved_tokens: string | null }>(SETTLE_SQL, [JSON.stringify(calls)]);
  const settled = new Map(
    rows.map((row) => [row.request_id, { recorded: row.recorded, reservedTokens: row.reserved_tokens === null ? undefined : Number(row.reserved_tokens) }]),
  );
  return records.map((r, i) => (first.get(r.requestId) === i ? settled.get(r.requestId)! : { recorded: false, reservedTokens: undefined }));
}
