// The audit log: admin's own table, written in the transaction of the change it records.
import type { Queryable } from '../../platform/db/db.js';
import type { TierChangeCause } from './admin.schemas.js';

export async function insertAuditEntry(
  db: Queryable,
  e: {
    actorId: string | null;
    actorEmail: string;
    action: string;
    targetUserId: string | null;
    /** The team a change is about (a team's tier), if any. */
    targetTeamId?: string | null;
    before: unknown;
    after: unknown;
    /** Why a tier changed; null for entries that change no tier. */
    cause?: TierChangeCause | null;
  },
) {
  await db.query(
    `INSERT INTO admin_audit_log (actor_id, actor_email, action, target_user_id, target_team_id, before, after, cause)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)`,
    [e.actorId, e.actorEmail, e.action, e.targetUserId, e.targetTeamId ?? null, JSON.stringify(e.before), JSON.stringify(e.after), e.cause ?? null],
  );
}

export interface AuditRow {
  id: string;
  actor_email: string;
  action: string;
  target_user_id: string | null;
  target_team_id: string | null;
  before: unknown;
  after: unknown;
  cause: TierChangeCause | null;
  created_at: Date;
}

export async function listAuditEntries(db: Queryable, { limit }: { limit: number }) {
  const { rows } = await db.query<AuditRow>(
    'SELECT id, actor_email, action, target_user_id, target_team_id, before, after, cause, created_at FROM admin_audit_log ORDER BY created_at DESC LIMIT $1',
    [limit],
  );
  return rows;
}
