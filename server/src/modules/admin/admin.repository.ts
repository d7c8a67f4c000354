import type { Queryable } from '../../db/db.js';
import type { UserRow } from '../users/users.repository.js';

export interface AdminUserRow extends Omit<UserRow, 'password_hash'> {
  used: number;
  reserved: number;
}

export async function listUsersWithUsage(
  db: Queryable,
  { q, month, limit, offset }: { q?: string; month: string; limit: number; offset: number },
): Promise<{ rows: AdminUserRow[]; total: number }> {
  const pattern = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const { rows } = await db.query<AdminUserRow & { total: number }>(
    `SELECT u.id, u.email, u.tier, u.role, u.is_active, u.tier_updated_at, u.created_at, u.monthly_token_cap,
            COALESCE(m.total_tokens, 0)::bigint AS used, COALESCE(m.reserved_tokens, 0)::bigint AS reserved,
            count(*) OVER ()::int AS total
     FROM users u LEFT JOIN monthly_usage m ON m.user_id = u.id AND m.month = $2
     WHERE $1::text IS NULL OR u.email ILIKE $1
     ORDER BY u.created_at DESC, u.id LIMIT $3 OFFSET $4`,
    [pattern, month, limit, offset],
  );
  if (rows.length === 0 && offset > 0) {
    const { rows: c } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE $1::text IS NULL OR email ILIKE $1', [pattern]);
    return { rows: [], total: c[0]!.n };
  }
  return { rows, total: rows[0]?.total ?? 0 };
}

export async function insertAuditEntry(
  db: Queryable,
  e: { actorId: string | null; actorEmail: string; action: string; targetUserId: string | null; before: unknown; after: unknown },
) {
  await db.query(
    `INSERT INTO admin_audit_log (actor_id, actor_email, action, target_user_id, before, after)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)`,
    [e.actorId, e.actorEmail, e.action, e.targetUserId, JSON.stringify(e.before), JSON.stringify(e.after)],
  );
}

export interface AuditRow {
  id: string;
  actor_email: string;
  action: string;
  target_user_id: string | null;
  before: unknown;
  after: unknown;
  created_at: Date;
}

export async function listAuditEntries(db: Queryable, { limit }: { limit: number }) {
  const { rows } = await db.query<AuditRow>(
    'SELECT id, actor_email, action, target_user_id, before, after, created_at FROM admin_audit_log ORDER BY created_at DESC LIMIT $1',
    [limit],
  );
  return rows;
}
