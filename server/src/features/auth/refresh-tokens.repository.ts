import type { Queryable } from '../../platform/db/db.js';

export interface RefreshTokenRow {
  id: string;
  token_hash: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  revoked_at: Date | null;
  replaced_by: string | null;
}

export async function insertRefreshToken(
  db: Queryable,
  { userId, familyId, tokenHash, expiresAt }: { userId: string; familyId: string | null; tokenHash: string; expiresAt: Date },
): Promise<RefreshTokenRow> {
  const { rows } = await db.query<RefreshTokenRow>(
    `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
     VALUES ($1, COALESCE($2::uuid, gen_random_uuid()), $3, $4)
     RETURNING id, token_hash, user_id, family_id, expires_at, revoked_at, replaced_by`,
    [userId, familyId, tokenHash, expiresAt],
  );
  return rows[0]!;
}

/**
 * Finds a token by its hash (what a client presents) or by id (a successor), and locks its row so
 * that two refreshes with one token are decided one after the other.
 */
export async function findRefreshTokenForUpdate(db: Queryable, by: { tokenHash: string } | { id: string }) {
  const [column, value] = 'id' in by ? ['id', by.id] : ['token_hash', by.tokenHash];
  const { rows } = await db.query<RefreshTokenRow>(
    `SELECT id, token_hash, user_id, family_id, expires_at, revoked_at, replaced_by
     FROM refresh_tokens WHERE ${column} = $1 FOR UPDATE`,
    [value],
  );
  return rows[0];
}

/** revoked_at of a rotated token is when it was rotated: the reuse interval counts from it. */
export async function markRefreshTokenRotated(db: Queryable, { id, replacedBy, at }: { id: string; replacedBy: string; at: Date }) {
  await db.query('UPDATE refresh_tokens SET revoked_at = $3, replaced_by = $2 WHERE id = $1', [id, replacedBy, at]);
}

export async function revokeRefreshTokenFamily(db: Queryable, { familyId }: { familyId: string }) {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [familyId]);
}

export async function revokeRefreshTokensOfUser(db: Queryable, { userId }: { userId: string }) {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
}

/** Answers how many rows went. */
export async function deleteExpiredRefreshTokens(db: Queryable, { before }: { before: Date }): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM refresh_tokens WHERE expires_at < $1', [before]);
  return rowCount;
}
