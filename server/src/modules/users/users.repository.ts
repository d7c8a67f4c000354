import type { Queryable } from '../../db/db.js';
import type { TierName } from '../tiers/tiers.js';

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
}

const COLUMNS = 'id, email, password_hash, tier, role, is_active, tier_updated_at, created_at, monthly_token_cap';

export async function findUserById(db: Queryable, { id }: { id: string }): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0];
}

export async function findUserByEmail(db: Queryable, { email }: { email: string }): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE email = $1`, [email]);
  return rows[0];
}

/** Undefined when the email is taken (the unique index decides, so concurrent sign-ups are safe). */
export async function insertUser(
  db: Queryable,
  { email, passwordHash }: { email: string; passwordHash: string },
): Promise<UserRow | undefined> {
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
