// SQL for conversations. Every statement that reads or changes one conversation filters by its
// owner too: a row of another user is simply not found, which the service answers with 404.
import type { Queryable } from '../../platform/db/db.js';

export interface ConversationRow {
  id: string;
  user_id: string;
  title: string | null;
  model: string;
  system_prompt: string | null;
  pinned: boolean;
  archived: boolean;
  created_at: Date;
  updated_at: Date;
  last_message_at: Date | null;
  /** The branch shown ends here (docs/decisions/018); null: at the newest message. */
  current_leaf_id: string | null;
}

/** The list's sort key as exact text (microseconds, UTC): a JS Date would drop the microseconds. */
export interface ListedConversationRow extends ConversationRow {
  active_key: string;
}

export interface ListCursor {
  pinned: boolean;
  activeAt: string;
  id: string;
}

const COLUMNS = 'id, user_id, title, model, system_prompt, pinned, archived, created_at, updated_at, last_message_at, current_leaf_id';

export async function insertConversation(
  db: Queryable,
  c: { id: string; userId: string; title: string | null; model: string; systemPrompt: string | null },
): Promise<ConversationRow> {
  const { rows } = await db.query<ConversationRow>(
    `INSERT INTO conversations (id, user_id, title, model, system_prompt) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [c.id, c.userId, c.title, c.model, c.systemPrompt],
  );
  return rows[0]!;
}

/**
 * A first exchange in one statement: the conversation, titled from the first message, the user's
 * message and the assistant's reply under it (status 'streaming'), in that order (one INSERT of two
 * rows, so the user's message gets the lower seq); the reply is the branch shown.
 */
export async function insertConversationWithExchange(
  db: Queryable,
  c: {
    id: string;
    userId: string;
    title: string;
    model: string;
    systemPrompt: string | null;
    userMessageId: string;
    userContent: string;
    assistantMessageId: string;
  },
): Promise<ConversationRow> {
  const { rows } = await db.query<ConversationRow>(
    `WITH conversation AS (
       INSERT INTO conversations (id, user_id, title, model, system_prompt, last_message_at, current_leaf_id)
       VALUES ($1, $2, $3, $4, $8, now(), $7)
       RETURNING ${COLUMNS}
     ), exchange AS (
       INSERT INTO messages (id, conversation_id, user_id, parent_id, role, content, status, model)
       VALUES ($5, $1, $2, NULL, 'user', $6, 'complete', NULL), ($7, $1, $2, $5::uuid, 'assistant', '', 'streaming', $4)
     )
     SELECT * FROM conversation`,
    [c.id, c.userId, c.title, c.model, c.userMessageId, c.userContent, c.assistantMessageId, c.systemPrompt],
  );
  return rows[0]!;
}

export async function findConversation(db: Queryable, { id, userId, forUpdate = false }: { id: string; userId: string; forUpdate?: boolean }) {
  const { rows } = await db.query<ConversationRow>(`SELECT ${COLUMNS} FROM conversations WHERE id = $1 AND user_id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [
    id,
    userId,
  ]);
  return rows[0];
}

/** LIKE pattern for a literal substring: %, _ and \ in the user's text match themselves. */
function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Pinned first, then most recently active; keyset pagination on (pinned, active_at, id). */
export async function listConversationsByUser(
  db: Queryable,
  { userId, archived, limit, cursor, q }: { userId: string; archived: boolean; limit: number; cursor?: ListCursor; q?: string },
): Promise<ListedConversationRow[]> {
  const { rows } = await db.query<ListedConversationRow>(
    `SELECT ${COLUMNS}, to_char(active_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS active_key
       FROM conversations c
      WHERE user_id = $1 AND archived = $2
        AND ($3::text IS NULL
             OR title ILIKE $3 ESCAPE '\\'
             OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content ILIKE $3 ESCAPE '\\'))
        AND ($4::boolean IS NULL OR (pinned, active_at, id) < ($4::boolean, $5::timestamptz, $6::uuid))
      ORDER BY pinned DESC, active_at DESC, id DESC
      LIMIT $7`,
    [userId, archived, q ? containsPattern(q) : null, cursor?.pinned ?? null, cursor?.activeAt ?? null, cursor?.id ?? null, limit],
  );
  return rows;
}

export async function updateConversation(
  db: Queryable,
  {
    id,
    userId,
    changes,
  }: { id: string; userId: string; changes: { title?: string | null; pinned?: boolean; archived?: boolean; systemPrompt?: string | null; model?: string } },
): Promise<ConversationRow | undefined> {
  // Each field is set only when present: "absent" and "set to null" differ for title and system_prompt.
  const { rows } = await db.query<ConversationRow>(
    `UPDATE conversations SET
       title = CASE WHEN $3::boolean THEN $4::text ELSE title END,
       pinned = COALESCE($5::boolean, pinned),
       archived = COALESCE($6::boolean, archived),
       system_prompt = CASE WHEN $7::boolean THEN $8::text ELSE system_prompt END,
       model = COALESCE($9::text, model),
       updated_at = now()
     WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
    [
      id,
      userId,
      'title' in changes,
      changes.title ?? null,
      changes.pinned ?? null,
      changes.archived ?? null,
      'systemPrompt' in changes,
      changes.systemPrompt ?? null,
      changes.model ?? null,
    ],
  );
  return rows[0];
}

/**
 * After an exchange starts: the conversation is active now, uses this model, gets a title if it had
 * none, and shows the branch of the new reply.
 */
export async function touchConversation(db: Queryable, { id, model, title, leafId }: { id: string; model: string; title: string; leafId: string }) {
  const { rows } = await db.query<ConversationRow>(
    `UPDATE conversations SET last_message_at = now(), updated_at = now(), model = $2, title = COALESCE(title, $3), current_leaf_id = $4
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, model, title, leafId],
  );
  return rows[0]!;
}

/** Shows another branch: the caller has checked that the message is in this conversation. */
export async function updateCurrentLeaf(db: Queryable, { id, userId, leafId }: { id: string; userId: string; leafId: string }) {
  const { rows } = await db.query<ConversationRow>(`UPDATE conversations SET current_leaf_id = $3 WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`, [
    id,
    userId,
    leafId,
  ]);
  return rows[0];
}

export async function deleteConversation(db: Queryable, { id, userId }: { id: string; userId: string }): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM conversations WHERE id = $1 AND user_id = $2', [id, userId]);
  return rowCount > 0;
}
