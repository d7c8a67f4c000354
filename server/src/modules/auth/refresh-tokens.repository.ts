import type { Queryable } from '../../db/db.js';

export interface RefreshTokenRow {
  id: string;
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
     RETURNING id, user_id, family_id, expires_at, revoked_at, replaced_by`,
    [userId, familyId, tokenHash, expiresAt],
  );
  return rows[0]!;
}

/** Locks the row so that two refreshes with one token are decided one after the other. */
export async function findRefreshTokenForUpdate(db: Queryable, { tokenHash }: { tokenHash: string }) {
  const { rows } = await db.query<RefreshTokenRow>(
    `SELECT id, user_id, family_id, expires_at, revoked_at, replaced_by
     FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
    [tokenHash],
  );
  return rows[0];
}

export async function markRefreshTokenRotated(db: Queryable, { id, replacedBy }: { id: string; replacedBy: string }) {
  await db.query('UPDATE refresh_tokens SET revoked_at = now(), replaced_by = $2 WHERE id = $1', [id, replacedBy]);
}

export async function revokeRefreshTokenFamily(db: Queryable, { familyId }: { familyId: string }) {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [familyId]);
}

export async function revokeRefreshTokensOfUser(db: Queryable, { userId }: { userId: string }) {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
}

export async function deleteExpiredRefreshTokens(db: Queryable, { before }: { before: Date }) {
  await db.query('DELETE FROM refresh_tokens WHERE expires_at < $1', [before]);
}
