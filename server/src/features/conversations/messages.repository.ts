// SQL for messages. Reads go through a conversation the service has already found for its owner.
import type { Queryable } from '../../platform/db/db.js';

export type MessageRole = 'user' | 'assistant' | 'system';
export type MessageStatus = 'complete' | 'streaming' | 'stopped' | 'failed';

export interface MessageRow {
  id: string;
  conversation_id: string;
  /** The message this one follows (docs/decisions/018); null for the first. */
  parent_id: string | null;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  model: string | null;
  error: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  created_at: Date;
}

const COLUMNS = 'id, conversation_id, parent_id, role, content, status, model, error, input_tokens, output_tokens, created_at';

/** Every message of the conversation, on every branch, in insertion order (parents before children). */
export async function listMessagesOfConversation(db: Queryable, { conversationId }: { conversationId: string }): Promise<MessageRow[]> {
  const { rows } = await db.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY seq`, [conversationId]);
  return rows;
}

export async function insertMessage(
  db: Queryable,
  m: {
    id: string;
    conversationId: string;
    userId: string;
    parentId: string | null;
    role: MessageRole;
    content: string;
    status: MessageStatus;
    model: string | null;
  },
): Promise<void> {
  await db.query(`INSERT INTO messages (id, conversation_id, user_id, parent_id, role, content, status, model) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
    m.id,
    m.conversationId,
    m.userId,
    m.parentId,
    m.role,
    m.content,
    m.status,
    m.model,
  ]);
}

/** Writes the end of a reply. Only a reply still streaming changes, so a second finish is a no-op. */
export async function finishMessage(
  db: Queryable,
  m: { id: string; content: string; status: Exclude<MessageStatus, 'streaming'>; error: string | null; inputTokens: number; outputTokens: number },
): Promise<void> {
  await db.query(
    `UPDATE messages SET content = $2, status = $3, error = $4, input_tokens = $5, output_tokens = $6, updated_at = now()
     WHERE id = $1 AND status = 'streaming'`,
    [m.id, m.content, m.status, m.error, m.inputTokens, m.outputTokens],
  );
}

/** The text of replies still streaming, saved now and then so that a crash loses at most a moment of it. */
export async function saveStreamingContents(db: Queryable, { replies }: { replies: { id: string; content: string }[] }): Promise<void> {
  await db.query(
    `UPDATE messages AS m SET content = v.content, updated_at = now()
     FROM unnest($1::uuid[], $2::text[]) AS v(id, content)
     WHERE m.id = v.id AND m.status = 'streaming'`,
    [replies.map((r) => r.id), replies.map((r) => r.content)],
  );
}

/** The checkpointed text of a reply still streaming ('' when it is not streaming). */
export async function findStreamingContent(db: Queryable, { id }: { id: string }): Promise<string> {
  const { rows } = await db.query<{ content: string }>("SELECT content FROM messages WHERE id = $1 AND status = 'streaming'", [id]);
  return rows[0]?.content ?? '';
}

/** A reply whose process stopped while writing it: its text is kept, its status failed. */
export async function failStreamingMessage(db: Queryable, { id, error }: { id: string; error: string }): Promise<void> {
  await db.query(`UPDATE messages SET status = 'failed', error = COALESCE(error, $2), updated_at = now() WHERE id = $1 AND status = 'streaming'`, [id, error]);
}
