// The SQL of nested budgets (docs/decisions/019): a call charged to more than the user's own month
// (an API key's, a team's pool, a member's share of it) reserves against every level in one
// transaction. The rows are locked in one fixed order (team, member, key, user) by every
// transaction that takes more than one, so two calls never wait for each other in a circle; the
// check runs on the locked rows and the grant moves them all, or nothing is written.
import type { Db, Queryable } from '../../platform/db/db.js';

/** A budget row a call is charged to: one month of one account. */
export type BudgetAccount =
  { kind: 'team'; teamId: string } | { kind: 'member'; teamId: string; userId: string } | { kind: 'key'; keyId: string } | { kind: 'user'; userId: string };

export type BudgetKind = BudgetAccount['kind'];

interface AccountTable {
  table: string;
  /** The columns that name the account, beside month. */
  columns: string[];
}

const TABLES: Record<BudgetKind, AccountTable> = {
  team: { table: 'team_monthly_usage', columns: ['team_id'] },
  member: { table: 'team_member_monthly_usage', columns: ['team_id', 'user_id'] },
  key: { table: 'key_monthly_usage', columns: ['key_id'] },
  user: { table: 'monthly_usage', columns: ['user_id'] },
};

/** The one order in which rows are locked. */
const LOCK_ORDER: BudgetKind[] = ['team', 'member', 'key', 'user'];

export function idsOf(account: BudgetAccount): string[] {
  switch (account.kind) {
    case 'team':
      return [account.teamId];
    case 'member':
      return [account.teamId, account.userId];
    case 'key':
      return [account.keyId];
    case 'user':
      return [account.userId];
  }
}

export function inLockOrder<T extends { account: BudgetAccount }>(items: T[]): T[] {
  return [...items].sort((a, b) => LOCK_ORDER.indexOf(a.account.kind) - LOCK_ORDER.indexOf(b.account.kind));
}

/** "key_id = $3 AND month = $4" for an account whose ids start at parameter `first`. */
function matchOf({ columns }: AccountTable, first: number, alias = ''): string {
  return [...columns, 'month'].map((c, i) => `${alias}${c} = $${first + i}`).join(' AND ');
}

/**
 * Makes the account's month row if it is missing and locks it (an upsert locks the row it finds),
 * answering its total and reserved tokens. Inside a transaction: a refusal rolls the new row back.
 */
async function lockMonth(tx: Queryable, account: BudgetAccount, month: string) {
  const t = TABLES[account.kind];
  const cols = [...t.columns, 'month'];
  const { rows } = await tx.query<{ total_tokens: string; reserved_tokens: string }>(
    `INSERT INTO ${t.table} AS m (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (${cols.join(', ')}) DO UPDATE SET updated_at = m.updated_at
     RETURNING total_tokens, reserved_tokens`,
    [...idsOf(account), month],
  );
  return { total: Number(rows[0]!.total_tokens), reserved: Number(rows[0]!.reserved_tokens) };
}

/** Locks the accounts' existing month rows in the lock order (before a statement that moves several). */
async function lockExisting(tx: Queryable, accounts: BudgetAccount[], month: string) {
  for (const { account } of inLockOrder(accounts.map((account) => ({ account })))) {
    const t = TABLES[account.kind];
    await tx.query(`SELECT 1 FROM ${t.table} WHERE ${matchOf(t, 1)} FOR UPDATE`, [...idsOf(account), month]);
  }
}

export interface BudgetLevel {
  account: BudgetAccount;
  limit: number;
}

export interface NestedReservation {
  requestId: string;
  userId: string;
  keyId: string | null;
  teamId: string | null;
  month: string;
  promptShare: number;
  promptTokens: number;
  maxOutputTokens: number;
  model: string;
  provider: string;
  conversationId: string | null;
  messageId: string | null;
  expiresAt: Date;
}

export type NestedOutcome =
  /** left: each level's tokens still free once this grant is set aside, in the levels' order. */
  | { kind: 'granted'; tokens: number; left: number[] }
  /** The level that could not hold the prompt and one output token, and how its month stood. */
  | { kind: 'refused'; level: number; usage: { total_tokens: number; reserved_tokens: number } };

class Refusal extends Error {
  constructor(readonly outcome: Extract<NestedOutcome, { kind: 'refused' }>) {
    super('refused');
  }
}

/**
 * Reserves promptShare + the output cap against every level, the cap lowered to the smallest
 * remainder, in one transaction: each level's month row locked in the lock order, all checked, all
 * moved and the reservation written in one statement; or, refused, nothing written at all.
 */
export async function reserveNested(db: Db, levels: BudgetLevel[], r: NestedReservation): Promise<NestedOutcome> {
  try {
    return await db.transaction(async (tx) => {
      const ordered = inLockOrder(levels.map((level, index) => ({ ...level, index })));
      const free: number[] = new Array<number>(levels.length);
      const usage: { total_tokens: number; reserved_tokens: number }[] = [];
      for (const level of ordered) {
        const month = await lockMonth(tx, level.account, r.month);
        free[level.index] = level.limit - month.total - month.reserved;
        usage[level.index] = { total_tokens: month.total, reserved_tokens: month.reserved };
      }
      const least = Math.min(...free);
      if (least < r.promptShare + 1) {
        // The level that ran out: the one with the least left (the first of them in the levels' order).
        const level = free.indexOf(least);
        throw new Refusal({ kind: 'refused', level, usage: usage[level]! });
      }
      const tokens = r.promptShare + Math.min(r.maxOutputTokens, least - r.promptShare);
      await writeGrant(tx, ordered, r, tokens);
      return { kind: 'granted', tokens, left: free.map((f) => f - tokens) };
    });
  } catch (err) {
    if (err instanceof Refusal) return err.outcome;
    throw err;
  }
}

async function writeGrant(tx: Queryable, levels: BudgetLevel[], r: NestedReservation, tokens: number) {
  const params: unknown[] = [tokens, r.month];
  const moves = levels.map(({ account }, i) => {
    const t = TABLES[account.kind];
    const first = params.length + 1;
    params.push(...idsOf(account));
    const match = t.columns.map((c, j) => `${c} = $${first + j}`).join(' AND ');
    return `m${i} AS (UPDATE ${t.table} SET reserved_tokens = reserved_tokens + $1, updated_at = now() WHERE ${match} AND month = $2)`;
  });
  const at = params.length;
  params.push(r.requestId, r.userId, r.keyId, r.promptTokens, r.model, r.provider, r.conversationId, r.messageId, r.expiresAt, r.teamId);
  const p = (n: number) => `$${at + n}`;
  await tx.query(
    `WITH ${moves.join(', ')}
     INSERT INTO usage_reservations (request_id, user_id, key_id, team_id, month, tokens, prompt_tokens, model, provider, conversation_id, message_id, expires_at)
     VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(10)}, $2, $1, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)})`,
    params,
  );
}

export interface UsageAmounts {
  inputTokens: number;
  outputTokens: number;
  costNanoUsd: bigint;
}

/**
 * The part of the settling statement that moves one account's month: by the record's amounts when
 * the record was written (the reservation released with it), or only the release when the call
 * was recorded already. `first` is the parameter number of the account's first id.
 */
export function settleMoves(account: BudgetAccount, name: string, first: number): string {
  const t = TABLES[account.kind];
  const cols = [...t.columns, 'month'];
  const ids = t.columns.map((_, j) => `$${first + j}`).join(', ');
  const key = t.columns.map((c, j) => `m.${c} = $${first + j}`).join(' AND ');
  return `${name} AS (
       INSERT INTO ${t.table} AS m (${cols.join(', ')}, input_tokens, output_tokens, total_tokens, cost_nanousd, request_count)
       SELECT ${ids}, record.month, $8, $9, $10, $11, 1 FROM record
       ON CONFLICT (${cols.join(', ')}) DO UPDATE SET
         input_tokens = m.input_tokens + EXCLUDED.input_tokens, output_tokens = m.output_tokens + EXCLUDED.output_tokens,
         total_tokens = m.total_tokens + EXCLUDED.total_tokens, cost_nanousd = m.cost_nanousd + EXCLUDED.cost_nanousd,
         request_count = m.request_count + 1,
         reserved_tokens = m.reserved_tokens - COALESCE((SELECT tokens FROM reservation), 0), updated_at = now()
     ), ${name}_released AS (
       -- A reservation whose call was somehow recorded already: give its tokens back all the same.
       UPDATE ${t.table} AS m SET reserved_tokens = m.reserved_tokens - reservation.tokens, updated_at = now()
       FROM reservation WHERE ${key} AND m.month = reservation.month AND NOT EXISTS (SELECT 1 FROM record)
     )`;
}

/** The part of a release statement that gives `gone`'s tokens back to one account's month. */
export function releaseMoves(account: BudgetAccount, name: string, first: number): string {
  const t = TABLES[account.kind];
  const key = t.columns.map((c, j) => `m.${c} = $${first + j}`).join(' AND ');
  return `${name} AS (
       UPDATE ${t.table} AS m SET reserved_tokens = m.reserved_tokens - gone.tokens, updated_at = now()
       FROM gone WHERE ${key} AND m.month = gone.month
     )`;
}

/**
 * Runs a statement that moves several accounts' rows (a settlement, a release) after locking
 * those rows in the lock order, in one transaction, for the month of the call's reservation
 * (`month` when it has none any more); a single account needs no transaction.
 */
export async function withAccountsLocked<T>(
  db: Db,
  { accounts, requestId, month }: { accounts: BudgetAccount[]; requestId: string; month: string },
  fn: (q: Queryable) => Promise<T>,
): Promise<T> {
  if (accounts.length <= 1) return fn(db);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ month: string }>('SELECT month FROM usage_reservations WHERE request_id = $1', [requestId]);
    await lockExisting(tx, accounts, rows[0]?.month ?? month);
    return fn(tx);
  });
}

export { TABLES as BUDGET_TABLES };
