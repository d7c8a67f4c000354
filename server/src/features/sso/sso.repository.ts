import type { Queryable } from '../../platform/db/db.js';

export interface SsoIdentityRow {
  issuer: string;
  subject: string;
  user_id: string;
  email: string;
}

export async function findIdentity(db: Queryable, { issuer, subject }: { issuer: string; subject: string }): Promise<SsoIdentityRow | undefined> {
  const { rows } = await db.query<SsoIdentityRow>('SELECT issuer, subject, user_id, email FROM sso_identities WHERE issuer = $1 AND subject = $2', [
    issuer,
    subject,
  ]);
  return rows[0];
}

/** Links an identity to an account; false when it was linked already (a concurrent first sign-in). */
export async function insertIdentity(db: Queryable, row: SsoIdentityRow): Promise<boolean> {
  const { rows } = await db.query(
    `INSERT INTO sso_identities (issuer, subject, user_id, email) VALUES ($1, $2, $3, $4)
     ON CONFLICT (issuer, subject) DO NOTHING RETURNING 1`,
    [row.issuer, row.subject, row.user_id, row.email],
  );
  return rows.length === 1;
}

export async function touchIdentity(db: Queryable, { issuer, subject, email }: { issuer: string; subject: string; email: string }): Promise<void> {
  await db.query('UPDATE sso_identities SET last_used_at = now(), email = $3 WHERE issuer = $1 AND subject = $2', [issuer, subject, email]);
}
