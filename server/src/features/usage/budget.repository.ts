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

/** "team_id = $3 AND user_id = $4": the account's id columns, its ids from parameter `first` on. */
function idsMatch({ columns }: AccountTable, first: number, alias = ''): string {
  return columns.map((c, i) => `${alias}${c} = $${first + i}`).join(' AND ');
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
    const match = idsMatch(t, first);
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

/**
 * The hot path of every model call: the whole reservation in one statement, one round trip. Each
 * level's month row is locked in the lock order (lockChain), all are checked, all moved and the
 * reservation written; or, refused, nothing is written. 'no-month' when a level has no row for
 * the month yet (its first call): reserveNested makes them, in a transaction that a refusal rolls
 * back.
 */
export async function reserveAtOnce(db: Queryable, levels: BudgetLevel[], r: NestedReservation): Promise<NestedOutcome | { kind: 'no-month' }> {
  const params: unknown[] = [r.month, r.promptShare, r.maxOutputTokens];
  const limits = levels.map((level) => params.push(level.limit));
  const accounts = levels.map((level) => level.account);
  const locks = lockChain(accounts, params, '$1', true, (i) => `, $${limits[i]}::bigint - total_tokens - reserved_tokens AS free`);
  const names = levels.map((_, i) => `l${i}`);
  const least = levels.length === 1 ? 'l0.free' : `LEAST(${names.map((n) => `${n}.free`).join(', ')})`;
  const moves = accounts.map((account, i) => {
    const t = TABLES[account.kind];
    const first = params.length + 1;
    params.push(...idsOf(account));
    return `m${i} AS (UPDATE ${t.table} SET reserved_tokens = reserved_tokens + granted.tokens, updated_at = now() FROM granted WHERE ${idsMatch(t, first)} AND month = $1)`;
  });
  const at = params.length;
  params.push(r.requestId, r.userId, r.keyId, r.promptTokens, r.model, r.provider, r.conversationId, r.messageId, r.expiresAt, r.teamId);
  const p = (n: number) => `$${at + n}`;
  const { rows } = await db.query<Record<string, string | number | null>>(
    `WITH ${locks.join(', ')},
     granted AS (
       SELECT $2::bigint + LEAST($3::bigint, ${least} - $2::bigint) AS tokens FROM ${names.join(', ')} WHERE ${least} >= $2::bigint + 1
     ), ${moves.join(', ')},
     written AS (
       INSERT INTO usage_reservations (request_id, user_id, key_id, team_id, month, tokens, prompt_tokens, model, provider, conversation_id, message_id, expires_at)
       SELECT ${p(1)}, ${p(2)}, ${p(3)}, ${p(10)}, $1, tokens, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)} FROM granted
     )
     SELECT ${names.map((n, i) => `${n}.total_tokens AS t${i}, ${n}.reserved_tokens AS r${i}`).join(', ')}, (SELECT tokens FROM granted) AS granted
     FROM ${names.join(', ')}`,
    params,
  );
  const row = rows[0];
  if (!row) return { kind: 'no-month' };
  const usage = levels.map((_, i) => ({ total_tokens: Number(row[`t${i}`]), reserved_tokens: Number(row[`r${i}`]) }));
  const free = levels.map((level, i) => level.limit - usage[i]!.total_tokens - usage[i]!.reserved_tokens);
  if (row.granted === null) {
    // The level that ran out: the one with the least left (the first of them in the levels' order).
    const level = free.indexOf(Math.min(...free));
    return { kind: 'refused', level, usage: usage[level]! };
  }
  const tokens = Number(row.granted);
  return { kind: 'granted', tokens, left: free.map((f) => f - tokens) };
}

export interface UsageAmounts {
  inputTokens: number;
  outputTokens: number;
  costNanoUsd: bigint;
}

/** Which of a settlement's calls charge an account of this kind: team and member rows for a team's call, else the user's; the key's when there is one. */
const CHARGED: Record<BudgetKind, string> = {
  team: 'team_id IS NOT NULL',
  member: 'team_id IS NOT NULL',
  key: 'key_id IS NOT NULL',
  user: 'team_id IS NULL',
};

/**
 * The parts of the settling statement for every account kind, over CTEs `calls` (the calls, each
 * with the month it is charged to, charged_month) and `moved` (per call that moved anything: its
 * month, its amounts if its record was written, else 0, and `released`, what its deleted
 * reservation held). Locks: CTE lock_<kind> locks the kind's rows of the batch FOR UPDATE in id
 * order, each only after the kind before it in the lock order (its WHERE asks about that one), so
 * every row of the batch is taken in the one order reservations take theirs. `locked` is the
 * condition that makes the first write wait for all of them. Moves: one upsert per kind, of the
 * sums per account and month, so a row charged by several calls of the batch is written once.
 */
export function settleBatchParts(): { locks: string[]; locked: string; moves: string[] } {
  const locks = LOCK_ORDER.map((kind, n) => {
    const { table, columns } = TABLES[kind];
    const ids = [...columns, 'month'].join(', ');
    const after = n === 0 ? '' : ` AND (SELECT count(*) FROM lock_${LOCK_ORDER[n - 1]}) >= 0`;
    return `lock_${kind} AS (
       SELECT 1 FROM ${table} WHERE (${ids}) IN (SELECT ${columns.join(', ')}, charged_month FROM calls WHERE ${CHARGED[kind]})${after}
       ORDER BY ${ids} FOR UPDATE
     )`;
  });
  const moves = LOCK_ORDER.map((kind) => {
    const { table, columns } = TABLES[kind];
    const ids = [...columns, 'month'];
    const match = ids.map((c) => `s.${c} = m.${c}`).join(' AND ');
    return `sums_${kind} AS (
       SELECT ${ids.join(', ')}, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(total_tokens) AS total_tokens,
         sum(cost_nanousd) AS cost_nanousd, sum(requests) AS requests, sum(released) AS released
       FROM moved WHERE ${CHARGED[kind]} GROUP BY ${ids.join(', ')}
     ), move_${kind} AS (
       INSERT INTO ${table} AS m (${ids.join(', ')}, input_tokens, output_tokens, total_tokens, cost_nanousd, request_count)
       SELECT ${ids.join(', ')}, input_tokens, output_tokens, total_tokens, cost_nanousd, requests FROM sums_${kind}
       ON CONFLICT (${ids.join(', ')}) DO UPDATE SET
         input_tokens = m.input_tokens + EXCLUDED.input_tokens, output_tokens = m.output_tokens + EXCLUDED.output_tokens,
         total_tokens = m.total_tokens + EXCLUDED.total_tokens, cost_nanousd = m.cost_nanousd + EXCLUDED.cost_nanousd,
         request_count = m.request_count + EXCLUDED.request_count,
         -- The release is not in the inserted row (a negative count would fail its check): a row a
         -- reservation held tokens of exists already, so the update is where it applies.
         reserved_tokens = m.reserved_tokens - (SELECT s.released FROM sums_${kind} s WHERE ${match}), updated_at = now()
     )`;
  });
  return { locks, locked: ` AND (SELECT count(*) FROM lock_${LOCK_ORDER[LOCK_ORDER.length - 1]}) >= 0`, moves };
}

/** The part of a release statement that gives `gone`'s tokens back to one account's month. */
export function releaseMoves(account: BudgetAccount, name: string, first: number): string {
  const t = TABLES[account.kind];
  const key = idsMatch(t, first, 'm.');
  return `${name} AS (
       UPDATE ${t.table} AS m SET reserved_tokens = m.reserved_tokens - gone.tokens, updated_at = now()
       FROM gone WHERE ${key} AND m.month = gone.month
     )`;
}

/**
 * Locks the accounts' month rows in the lock order inside one statement: CTE l<i> (i: the
 * account's index in `accounts`) selects its row FOR UPDATE only after the one before it in the
 * order has been read, because its WHERE asks about that one (a one-time filter PostgreSQL runs
 * before the scan). With `gate`, a missing row stops the chain (nothing later is locked);
 * without, every existing row is locked whether or not the others exist.
 */
function lockChain(accounts: BudgetAccount[], params: unknown[], month: string, gate: boolean, extra: (index: number) => string = () => '') {
  const ordered = inLockOrder(accounts.map((account, index) => ({ account, index })));
  return ordered.map(({ account, index }, n) => {
    const t = TABLES[account.kind];
    const first = params.length + 1;
    params.push(...idsOf(account));
    const match = idsMatch(t, first);
    const previous = n === 0 ? undefined : `l${ordered[n - 1]!.index}`;
    const after = previous === undefined ? '' : gate ? ` AND EXISTS (SELECT 1 FROM ${previous})` : ` AND (SELECT count(*) FROM ${previous}) >= 0`;
    return `l${index} AS (SELECT total_tokens, reserved_tokens${extra(index)} FROM ${t.table} WHERE ${match} AND month = ${month}${after} FOR UPDATE)`;
  });
}

/**
 * For a statement that moves several accounts' rows (a settlement, a release): CTEs that lock the
 * rows that exist, in the lock order, for the month `monthSql` names, and the condition that makes
 * the statement's first write wait for them (`AND (SELECT count(*) FROM l<last>) >= 0`). A single
 * account needs no lock of its own: its one write takes it.
 */
export function locksFirst(accounts: BudgetAccount[], params: unknown[], monthSql: string): { ctes: string[]; after: string } {
  if (accounts.length <= 1) return { ctes: [], after: '' };
  const ordered = inLockOrder(accounts.map((account, index) => ({ account, index })));
  return { ctes: lockChain(accounts, params, monthSql, false), after: ` AND (SELECT count(*) FROM l${ordered[ordered.length - 1]!.index}) >= 0` };
}

export { TABLES as BUDGET_TABLES };
