// SQL for shared links (conversation_shares, docs/decisions/022). The owner's statements filter by
// the owner too; the public read is by token only, and only a live (unrevoked) link is found.
import type { Queryable } from '../../platform/db/db.js';

export interface ShareRow {
  id: string;
  conversation_id: string;
  user_id: string;
  token: string;
  leaf_message_id: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, conversation_id, user_id, token, leaf_message_id, created_at, updated_at';

export async function findLiveShareOfConversation(db: Queryable, { conversationId, userId }: { conversationId: string; userId: string }) {
  const { rows } = await db.query<ShareRow>(`SELECT ${COLUMNS} FROM conversation_shares WHERE conversation_id = $1 AND user_id = $2 AND revoked_at IS NULL`, [
    conversationId,
    userId,
  ]);
  return rows[0];
}

export async function findLiveShareByToken(db: Queryable, { token }: { token: string }) {
  const { rows } = await db.query<ShareRow>(`SELECT ${COLUMNS} FROM conversation_shares WHERE token = $1 AND revoked_at IS NULL`, [token]);
  return rows[0];
}

/**
 * The conversation's live link, made with `token` or, when it has one, moved to `leafId` (same
 * token): one statement, so two shares at once leave one link. `created` says which happened.
 */
export async function upsertLiveShare(
  db: Queryable,
  s: { conversationId: string; userId: string; token: string; leafId: string },
): Promise<ShareRow & { created: boolean }> {
  const { rows } = await db.query<ShareRow & { created: boolean }>(
    `INSERT INTO conversation_shares (conversation_id, user_id, token, leaf_message_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (conversation_id) WHERE revoked_at IS NULL
     DO UPDATE SET leaf_message_id = EXCLUDED.leaf_message_id, updated_at = now()
     RETURNING ${COLUMNS}, (xmax = 0) AS created`,
    [s.conversationId, s.userId, s.token, s.leafId],
  );
  return rows[0]!;
}

export async function revokeLiveShare(db: Queryable, { conversationId, userId }: { conversationId: string; userId: string }): Promise<void> {
  await db.query('UPDATE conversation_shares SET revoked_at = now() WHERE conversation_id = $1 AND user_id = $2 AND revoked_at IS NULL', [
    conversationId,
    userId,
  ]);
}
