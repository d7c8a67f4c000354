// Mailed one-time tokens (password resets, email verification): only their SHA-256 is stored, and
// using one marks it used in the same statement that finds it, so it works once.
import type { Queryable } from '../../platform/db/db.js';

export type AccountTokenPurpose = 'password_reset' | 'email_verification';

export async function insertAccountToken(
  db: Queryable,
  t: { tokenHash: string; userId: string; purpose: AccountTokenPurpose; expiresAt: Date },
): Promise<void> {
  await db.query('INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, $4)', [
    t.tokenHash,
    t.userId,
    t.purpose,
    t.expiresAt,
  ]);
}

/** The account of a usable token (unused, unexpired), without using it. */
export async function findUsableAccountToken(
  db: Queryable,
  { tokenHash, purpose, now }: { tokenHash: string; purpose: AccountTokenPurpose; now: Date },
): Promise<{ user_id: string } | undefined> {
  const { rows } = await db.query<{ user_id: string }>(
    'SELECT user_id FROM account_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3',
    [tokenHash, purpose, now],
  );
  return rows[0];
}

/**
 * Uses a token: answers its account, or undefined when it is unknown, used or expired. Every
 * other token of that account and purpose is spent with it (an older link stops working too).
 */
export async function consumeAccountToken(
  db: Queryable,
  { tokenHash, purpose, now }: { tokenHash: string; purpose: AccountTokenPurpose; now: Date },
): Promise<string | undefined> {
  const { rows } = await db.query<{ user_id: string }>(
    `WITH used AS (
       UPDATE account_tokens SET used_at = $3
       WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
       RETURNING user_id
     ), others AS (
       UPDATE account_tokens SET used_at = $3
       WHERE user_id IN (SELECT user_id FROM used) AND purpose = $2 AND used_at IS NULL AND token_hash <> $1
     )
     SELECT user_id FROM used`,
    [tokenHash, purpose, now],
  );
  return rows[0]?.user_id;
}

/** Answers how many went: tokens past their expiry can do nothing. */
export async function deleteExpiredAccountTokens(db: Queryable, { before }: { before: Date }): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM account_tokens WHERE expires_at < $1', [before]);
  return rowCount;
}
