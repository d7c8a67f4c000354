// After the load, by SQL over the whole database: DESIGN.md's invariants 1-3 against what the
// clients were told (ledger.ts). Each check adds what it found to `broken` and counts how many
// facts it checked, for the closing report.
import { buildTree, shownBranch } from '../../src/features/conversations/message-tree.js';
import type { Queryable } from '../../src/platform/db/db.js';
import type { Ledger } from './ledger.js';

export interface CheckReport {
  checked: Record<string, number>;
  broken: string[];
}

const add = (r: CheckReport, name: string, n: number) => (r.checked[name] = (r.checked[name] ?? 0) + n);
const brk = (r: CheckReport, text: string) => r.broken.length < 100 && r.broken.push(text);

/** Invariant 1: no user's month past its limit (the tier's, or the user's own cap when lower). */
export async function checkLimits(db: Queryable, limits: Map<string, number>, r: CheckReport) {
  const { rows } = await db.query<{ user_id: string; month: string; total_tokens: number }>('SELECT user_id, month, total_tokens FROM monthly_usage');
  for (const row of rows) {
    const limit = limits.get(row.user_id);
    if (limit === undefined) continue;
    add(r, 'monthly usage within the limit', 1);
    if (row.total_tokens > limit) brk(r, `user ${row.user_id} used ${row.total_tokens} tokens in ${row.month}, over its limit ${limit}`);
  }
}

/** Invariant 2: every (user, month) aggregate equals the sum of its records, and its reserved tokens its reservations. */
export async function checkAggregates(db: Queryable, r: CheckReport) {
  const { rows } = await db.query<Record<string, string | number | null>>(
    `WITH rec AS (
       SELECT user_id, month, sum(input_tokens) AS i, sum(output_tokens) AS o, sum(total_tokens) AS t, count(*) AS n
       FROM usage_records GROUP BY user_id, month
     ), res AS (SELECT user_id, month, sum(tokens) AS t FROM usage_reservations GROUP BY user_id, month)
     SELECT user_id, month, m.input_tokens, m.output_tokens, m.total_tokens, m.request_count, m.reserved_tokens,
       rec.i, rec.o, rec.t, rec.n, res.t AS reserved, (m.user_id IS NOT NULL) AS has_month,
       (m.input_tokens IS DISTINCT FROM COALESCE(rec.i, 0) OR m.output_tokens IS DISTINCT FROM COALESCE(rec.o, 0)
        OR m.total_tokens IS DISTINCT FROM COALESCE(rec.t, 0) OR m.request_count IS DISTINCT FROM COALESCE(rec.n, 0)
        OR m.reserved_tokens IS DISTINCT FROM COALESCE(res.t, 0)) AS off
     FROM monthly_usage m FULL JOIN rec USING (user_id, month) LEFT JOIN res USING (user_id, month)`,
  );
  add(r, 'monthly_usage equals the sum of its usage_records', rows.length);
  for (const row of rows.filter((x) => x.off)) brk(r, `monthly_usage off its records: ${JSON.stringify(row)}`);
}

/** Invariant 2 per call: each model call a client saw start has exactly one record, of that user, with the usage it was told. */
export async function checkCalls(db: Queryable, ledger: Ledger, r: CheckReport) {
  const chat = await db.query<{ key: string; user_id: string; n: number; i: number; o: number }>(
    `SELECT message_id::text AS key, min(user_id::text) AS user_id, count(*)::int AS n, sum(input_tokens)::int AS i, sum(output_tokens)::int AS o
     FROM usage_records WHERE message_id = ANY($1::uuid[]) GROUP BY message_id`,
    [[...ledger.chatCalls.keys()]],
  );
  const api = await db.query<{ key: string; user_id: string; n: number; i: number; o: number }>(
    `SELECT request_id::text AS key, user_id::text AS user_id, 1 AS n, input_tokens AS i, output_tokens AS o
     FROM usage_records WHERE request_id = ANY($1::uuid[])`,
    [[...ledger.apiCalls.keys()]],
  );
  for (const [name, calls, rows] of [
    ['chat reply', ledger.chatCalls, chat.rows],
    ['/v1 completion', ledger.apiCalls, api.rows],
  ] as const) {
    const found = new Map(rows.map((row) => [row.key, row]));
    add(r, 'one usage record per model call seen to start', calls.size);
    for (const [id, c] of calls) {
      const row = found.get(id);
      if (!row || row.n !== 1) brk(r, `${name} ${id}: ${row?.n ?? 0} usage records, not 1`);
      else if (row.user_id !== c.userId) brk(r, `${name} ${id}: recorded for user ${row.user_id}, not ${c.userId}`);
      else if (c.usage && (row.i !== c.usage.input || row.o !== c.usage.output))
        brk(r, `${name} ${id}: recorded ${row.i}+${row.o} tokens, the client was told ${c.usage.input}+${c.usage.output}`);
    }
  }
  // No user has more records than requests that could have made a model call (plus the earlier one).
  const { rows: perUser } = await db.query<{ user_id: string; n: number }>('SELECT user_id::text, count(*)::int AS n FROM usage_records GROUP BY user_id');
  for (const row of perUser) {
    const requests = ledger.modelRequests.get(row.user_id) ?? 0;
    add(r, 'no more usage records than model requests', 1);
    if (row.n - 1 > requests) brk(r, `user ${row.user_id}: ${row.n - 1} usage records for ${requests} model requests`);
  }
}

/** The reaper keeps up: no reservation outlived its lifetime by more than the reaper's interval (and a beat). */
export async function checkReservationAges(db: Queryable, graceMs: number, r: CheckReport) {
  const { rows } = await db.query<{ request_id: string; expires_at: Date }>(
    `SELECT request_id, expires_at FROM usage_reservations WHERE expires_at < now() - make_interval(secs => $1)`,
    [graceMs / 1000],
  );
  add(r, 'no reservation older than the reaper allows', 1);
  for (const row of rows) brk(r, `reservation ${row.request_id} expired at ${row.expires_at.toISOString()} and is still there`);
}

/**
 * Invariant 3: the branch each conversation shows is the messages its client was told were stored,
 * in order, with their final status and text (earlier versions stay in the tree beside it,
 * docs/decisions/018); no reply left streaming.
 */
export async function checkMessages(db: Queryable, ledger: Ledger, r: CheckReport) {
  const certain = [...ledger.conversations.values()].filter((c) => !c.uncertain);
  const { rows } = await db.query<{ id: string; parent_id: string | null; conversation_id: string; status: string; content: string }>(
    `SELECT id::text, parent_id::text, conversation_id::text, status, content FROM messages WHERE conversation_id = ANY($1::uuid[]) ORDER BY conversation_id, seq`,
    [certain.map((c) => c.id)],
  );
  const { rows: titled } = await db.query<{ id: string; title: string | null; current_leaf_id: string | null }>(
    'SELECT id::text, title, current_leaf_id::text FROM conversations WHERE id = ANY($1::uuid[])',
    [certain.map((c) => c.id)],
  );
  const titles = new Map(titled.map((c) => [c.id, c.title]));
  const leaves = new Map(titled.map((c) => [c.id, c.current_leaf_id]));
  const byConversation = new Map<string, typeof rows>();
  for (const row of rows) byConversation.set(row.conversation_id, [...(byConversation.get(row.conversation_id) ?? []), row]);
  for (const c of certain) {
    add(r, 'conversations as their client knows them', 1);
    if (c.deleted) {
      if (titles.has(c.id)) brk(r, `conversation ${c.id} was deleted (204) but is still there`);
      continue;
    }
    if (!titles.has(c.id)) {
      brk(r, `conversation ${c.id} is gone, though its client never deleted it`);
      continue;
    }
    if (c.title !== undefined && titles.get(c.id) !== c.title)
      brk(r, `conversation ${c.id}: title ${JSON.stringify(titles.get(c.id))}, renamed to ${JSON.stringify(c.title)}`);
    const all = byConversation.get(c.id) ?? [];
    const stored = shownBranch(buildTree(all), leaves.get(c.id) ?? null);
    if (stored.map((m) => m.id).join() !== c.messages.map((m) => m.id).join()) {
      brk(
        r,
        `conversation ${c.id}: messages ${stored.map((m) => `${m.id}:${m.status}`).join(', ')}; its client expected ${c.messages.map((m) => m.id).join(', ')}`,
      );
      continue;
    }
    c.messages.forEach((want, i) => {
      const got = stored[i]!;
      add(r, 'stored messages with their final status and text', 1);
      const textOk =
        want.relation === 'equal'
          ? got.content === want.seen
          : want.relation === 'extends'
            ? got.content.startsWith(want.seen)
            : got.content.startsWith(want.seen) || want.seen.startsWith(got.content);
      if (!want.statuses.includes(got.status) || !textOk)
        brk(
          r,
          `message ${got.id} (${want.role}): stored ${got.status} ${JSON.stringify(got.content)}; the client saw ${JSON.stringify(want.seen)} (${want.relation}, ${want.statuses.join('|')})`,
        );
    });
  }
  const { rows: streaming } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE status = 'streaming'");
  add(r, "no reply left 'streaming'", 1);
  if (streaming[0]!.n > 0) brk(r, `${streaming[0]!.n} replies still 'streaming' after the reaper ran`);
}
