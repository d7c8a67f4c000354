import type { TierName } from '../../lib/tiers/tiers.js';
import type { Queryable } from '../../platform/db/db.js';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  tier: TierName;
  role: 'user' | 'admin';
  is_active: boolean;
  tier_updated_at: Date | null;
  created_at: Date;
  /** The user's own monthly limit, below the tier's; null for none. */
  monthly_token_cap: number | null;
  /** When the account proved it reads its email (a verification or a password-reset link). */
  email_verified_at: Date | null;
}

const COLUMNS = 'id, email, password_hash, tier, role, is_active, tier_updated_at, created_at, monthly_token_cap, email_verified_at';

/** forUpdate locks the row until the transaction ends (a change decided on what was read). */
export async function findUserById(db: Queryable, { id, forUpdate = false }: { id: string; forUpdate?: boolean }): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0];
}

/**
 * The user of an access token, found only while the token's session (a refresh-token family) is
 * live. Every authenticated request not served by auth's session cache (decision 023) runs this, so
 * the session check rides in the same statement,
 * one primary-key and one partial-index lookup: the one read of auth's refresh_tokens outside
 * auth, made to keep the hot path at one round trip (docs/decisions/015).
 */
export async function findUserInLiveSession(db: Queryable, { id, sessionId }: { id: string; sessionId: string }): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${COLUMNS} FROM users WHERE id = $1 AND EXISTS (
       SELECT 1 FROM refresh_tokens r
       WHERE r.family_id = $2 AND r.user_id = users.id AND r.revoked_at IS NULL AND r.expires_at > now())`,
    [id, sessionId],
  );
  return rows[0];
}

export async function markEmailVerified(db: Queryable, { id }: { id: string }) {
  await db.query('UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()), updated_at = now() WHERE id = $1', [id]);
}

/** Deletes the account; its conversations, keys, sessions and tokens go with it (ON DELETE CASCADE). */
export async function deleteUserById(db: Queryable, { id }: { id: string }) {
  await db.query('DELETE FROM users WHERE id = $1', [id]);
}

export async function insertDeletedEmail(db: Queryable, { emailHash, blockedUntil }: { emailHash: string; blockedUntil: Date }) {
  await db.query(
    `INSERT INTO deleted_account_emails (email_hash, blocked_until) VALUES ($1, $2)
     ON CONFLICT (email_hash) DO UPDATE SET blocked_until = GREATEST(deleted_account_emails.blocked_until, EXCLUDED.blocked_until)`,
    [emailHash, blockedUntil],
  );
}

/** Until when an address of a deleted account waits to sign up again; undefined when it need not. */
export async function findDeletedEmailBlock(db: Queryable, { emailHash, now }: { emailHash: string; now: Date }): Promise<Date | undefined> {
  const { rows } = await db.query<{ blocked_until: Date }>('SELECT blocked_until FROM deleted_account_emails WHERE email_hash = $1 AND blocked_until > $2', [
    emailHash,
    now,
  ]);
  return rows[0]?.blocked_until;
}

export async function deleteEndedEmailBlocks(db: Queryable, { before }: { before: Date }): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM deleted_account_emails WHERE blocked_until <= $1', [before]);
  return rowCount;
}

export async function findUserByEmail(db: Queryable, { email }: { email: string }): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE email = $1`, [email]);
  return rows[0];
}

/** Undefined when the email is taken (the unique index decides, so concurrent sign-ups are safe). */
export async function insertUser(db: Queryable, { email, passwordHash }: { email: string; passwordHash: string }): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (email, password_hash) VALUES ($1, $2)
     ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
    [email, passwordHash],
  );
  return rows[0];
}

export async function updatePasswordHash(db: Queryable, { id, passwordHash }: { id: string; passwordHash: string }) {
  await db.query('UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1', [id, passwordHash]);
}

export async function updateUser(
  db: Queryable,
  { id, tier, isActive, role }: { id: string; tier?: TierName; isActive?: boolean; role?: 'user' | 'admin' },
): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET
       tier = COALESCE($2, tier),
       tier_updated_at = CASE WHEN $2::text IS NOT NULL AND $2::text <> tier THEN now() ELSE tier_updated_at END,
       is_active = COALESCE($3, is_active),
       role = COALESCE($4, role),
       updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, tier ?? null, isActive ?? null, role ?? null],
  );
  return rows[0];
}

export async function updateMonthlyTokenCap(db: Queryable, { id, cap }: { id: string; cap: number | null }) {
  await db.query('UPDATE users SET monthly_token_cap = $2, updated_at = now() WHERE id = $1', [id, cap]);
}

/** Newest first; q matches part of the email (its LIKE wildcards taken literally). */
export async function listUsers(
  db: Queryable,
  { q, limit, offset }: { q?: string; limit: number; offset: number },
): Promise<{ rows: UserRow[]; total: number }> {
  const pattern = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const { rows } = await db.query<UserRow & { total: number }>(
    `SELECT ${COLUMNS}, count(*) OVER ()::int AS total FROM users
     WHERE $1::text IS NULL OR email ILIKE $1
     ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
    [pattern, limit, offset],
  );
  if (rows.length === 0 && offset > 0) {
    const { rows: c } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE $1::text IS NULL OR email ILIKE $1', [pattern]);
    return { rows: [], total: c[0]!.n };
  }
  return { rows: rows.map(({ total: _total, ...user }) => user), total: rows[0]?.total ?? 0 };
}

export async function countUsersByTier(db: Queryable): Promise<Array<{ tier: TierName; users: number }>> {
  const { rows } = await db.query<{ tier: TierName; users: number }>('SELECT tier, count(*)::int AS users FROM users GROUP BY tier ORDER BY tier');
  return rows;
}

export async function findTiersOfUsers(db: Queryable, { ids }: { ids: string[] }): Promise<Array<{ id: string; tier: TierName }>> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string; tier: TierName }>('SELECT id, tier FROM users WHERE id = ANY($1::uuid[])', [ids]);
  return rows;
}

export async function findEmailsOfUsers(db: Queryable, { ids }: { ids: string[] }): Promise<Array<{ id: string; email: string }>> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string; email: string }>('SELECT id, email FROM users WHERE id = ANY($1::uuid[])', [ids]);
  return rows;
}

export async function listEmailsByRole(db: Queryable, { role }: { role: UserRow['role'] }): Promise<string[]> {
  const { rows } = await db.query<{ email: string }>('SELECT email FROM users WHERE role = $1 ORDER BY email', [role]);
  return rows.map((r) => r.email);
}
