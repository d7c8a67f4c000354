import type { Queryable } from '../../platform/db/db.js';

export interface RefreshTokenRow {
  id: string;
  token_hash: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  revoked_at: Date | null;
  replaced_by: string | null;
  session_started_at: Date;
}

/** Who holds a session, as the session list shows it; refreshed with each rotation. */
export interface SessionClient {
  userAgent: string | null;
  ip: string | null;
}

const COLUMNS = 'id, token_hash, user_id, family_id, expires_at, revoked_at, replaced_by, session_started_at';

/** A login starts a family (familyId and sessionStartedAt null); a rotation continues its parent's. */
export async function insertRefreshToken(
  db: Queryable,
  t: { userId: string; familyId: string | null; sessionStartedAt: Date | null; tokenHash: string; expiresAt: Date; client: SessionClient },
): Promise<RefreshTokenRow> {
  const { rows } = await db.query<RefreshTokenRow>(
    `INSERT INTO refresh_tokens (user_id, family_id, session_started_at, token_hash, expires_at, user_agent, ip)
     VALUES ($1, COALESCE($2::uuid, gen_random_uuid()), COALESCE($3::timestamptz, now()), $4, $5, $6, $7)
     RETURNING ${COLUMNS}`,
    [t.userId, t.familyId, t.sessionStartedAt, t.tokenHash, t.expiresAt, t.client.userAgent, t.client.ip],
  );
  return rows[0]!;
}

/**
 * Finds a token by its hash (what a client presents) or by id (a successor), and locks its row so
 * that two refreshes with one token are decided one after the other.
 */
export async function findRefreshTokenForUpdate(db: Queryable, by: { tokenHash: string } | { id: string }) {
  const [column, value] = 'id' in by ? ['id', by.id] : ['token_hash', by.tokenHash];
  const { rows } = await db.query<RefreshTokenRow>(`SELECT ${COLUMNS} FROM refresh_tokens WHERE ${column} = $1 FOR UPDATE`, [value]);
  return rows[0];
}

/** revoked_at of a rotated token is when it was rotated: the reuse interval counts from it. */
export async function markRefreshTokenRotated(db: Queryable, { id, replacedBy, at }: { id: string; replacedBy: string; at: Date }) {
  await db.query('UPDATE refresh_tokens SET revoked_at = $3, replaced_by = $2 WHERE id = $1', [id, replacedBy, at]);
}

export async function revokeRefreshTokenFamily(db: Queryable, { familyId }: { familyId: string }) {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [familyId]);
}

/** Ends every session of a user, or every one but `exceptFamilyId` (the caller's own). */
export async function revokeRefreshTokensOfUser(db: Queryable, { userId, exceptFamilyId }: { userId: string; exceptFamilyId?: string }) {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR family_id <> $2::uuid)', [
    userId,
    exceptFamilyId ?? null,
  ]);
}

/** Ends one session of a user; answers false when the user has no such live session. */
export async function revokeSessionOfUser(db: Queryable, { userId, familyId }: { userId: string; familyId: string }): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND family_id = $2 AND revoked_at IS NULL', [
    userId,
    familyId,
  ]);
  return rowCount > 0;
}

export interface SessionRow {
  id: string;
  created_at: Date;
  last_used_at: Date;
  user_agent: string | null;
  ip: string | null;
}

/**
 * The live sessions of a user, newest use first: each is its family's one unrevoked token, whose
 * creation is the session's last refresh (a browser refreshes at least every access-token lifetime
 * while it is in use, so this is "last used" to within that).
 */
export async function listLiveSessionsOfUser(db: Queryable, { userId, now }: { userId: string; now: Date }): Promise<SessionRow[]> {
  const { rows } = await db.query<SessionRow>(
    `SELECT family_id AS id, session_started_at AS created_at, created_at AS last_used_at, user_agent, ip
     FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
     ORDER BY created_at DESC, family_id`,
    [userId, now],
  );
  return rows;
}

/** Answers how many rows went. */
export async function deleteExpiredRefreshTokens(db: Queryable, { before }: { before: Date }): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM refresh_tokens WHERE expires_at < $1', [before]);
  return rowCount;
}
