import type { Queryable } from '../../platform/db/db.js';

export interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  /** The key's own monthly token cap (null: only the plan's limits apply). */
  monthly_token_cap: number | null;
  /** After this the key is refused (null: never). */
  expires_at: Date | null;
  /** The team the key's calls are charged to (null: its owner's own plan). */
  team_id: string | null;
}

const COLUMNS = 'id, user_id, name, prefix, created_at, last_used_at, monthly_token_cap, expires_at, team_id';

// The first key of the two-key advisory locks that keys takes (the second: a hash of the user id).
// Two-key locks never collide with the one-key lock of the migrations.
const KEY_CREATION_LOCK_CLASS = 7_240_311;

/**
 * Serialises the key creations of one user until the transaction ends, so that concurrent ones
 * are counted one after the other. An advisory lock of keys' own rather than a lock on the user's
 * row, which is not this module's (two users whose ids hash alike just wait for each other).
 */
export async function lockKeyCreationOfUser(db: Queryable, { userId }: { userId: string }) {
  await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [KEY_CREATION_LOCK_CLASS, userId]);
}

export async function countLiveApiKeysByUser(db: Queryable, { userId }: { userId: string }): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
  return rows[0]!.n;
}

export interface KeyBudget {
  monthlyTokenCap: number | null;
  expiresAt: Date | null;
}

export async function insertApiKey(
  db: Queryable,
  k: { userId: string; name: string; prefix: string; keyHash: string; teamId: string | null } & KeyBudget,
): Promise<ApiKeyRow> {
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (user_id, name, prefix, key_hash, monthly_token_cap, expires_at, team_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [k.userId, k.name, k.prefix, k.keyHash, k.monthlyTokenCap, k.expiresAt, k.teamId],
  );
  return rows[0]!;
}

/** Changes the given fields of one of the user's live keys; undefined when the user has no such key. */
export async function updateApiKey(
  db: Queryable,
  { id, userId, changes }: { id: string; userId: string; changes: Partial<{ name: string; teamId: string | null } & KeyBudget> },
): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    `UPDATE api_keys SET
       name = CASE WHEN $3 THEN $4 ELSE name END,
       monthly_token_cap = CASE WHEN $5 THEN $6::bigint ELSE monthly_token_cap END,
       expires_at = CASE WHEN $7 THEN $8::timestamptz ELSE expires_at END,
       team_id = CASE WHEN $9 THEN $10::uuid ELSE team_id END
     WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
    [
      id,
      userId,
      changes.name !== undefined,
      changes.name ?? null,
      changes.monthlyTokenCap !== undefined,
      changes.monthlyTokenCap ?? null,
      changes.expiresAt !== undefined,
      changes.expiresAt ?? null,
      changes.teamId !== undefined,
      changes.teamId ?? null,
    ],
  );
  return rows[0];
}

/** The user's live keys, newest first. */
export async function listApiKeysByUser(db: Queryable, { userId }: { userId: string }): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC`, [
    userId,
  ]);
  return rows;
}

/** False when the user has no such live key (another user's id included). */
export async function revokeApiKey(db: Queryable, { id, userId }: { id: string; userId: string }): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL', [id, userId]);
  return rowCount > 0;
}

export async function findLiveApiKeyByHash(db: Queryable, { keyHash }: { keyHash: string }): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [keyHash]);
  return rows[0];
}

/** Sets last_used_at unless another request (of any process) has set it since `staleBefore`. */
export async function touchApiKey(db: Queryable, { id, at, staleBefore }: { id: string; at: Date; staleBefore: Date }) {
  await db.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)', [id, at, staleBefore]);
}
