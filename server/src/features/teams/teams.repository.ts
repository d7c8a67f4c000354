// The SQL of teams: the teams, their members (role and cap) and invitations. Each query that acts
// for a user names the team and the user, so a missing membership reads as "no such team".
import type { TierName } from '../../lib/tiers/tiers.js';
import type { Queryable } from '../../platform/db/db.js';

export type TeamRole = 'owner' | 'admin' | 'member';

export interface TeamRow {
  id: string;
  name: string;
  tier: TierName;
  tier_updated_at: Date | null;
  created_at: Date;
}

export interface MembershipRow extends TeamRow {
  role: TeamRole;
  monthly_token_cap: number | null;
}

export interface MemberRow {
  user_id: string;
  role: TeamRole;
  monthly_token_cap: number | null;
  joined_at: Date;
}

export interface InvitationRow {
  id: string;
  team_id: string;
  email: string;
  role: Exclude<TeamRole, 'owner'>;
  invited_by: string | null;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

const TEAM = 't.id, t.name, t.tier, t.tier_updated_at, t.created_at';
const INVITATION = 'id, team_id, email, role, invited_by, created_at, expires_at, accepted_at, revoked_at';

export async function insertTeam(db: Queryable, { name, tier }: { name: string; tier: TierName }): Promise<TeamRow> {
  const { rows } = await db.query<TeamRow>(`INSERT INTO teams AS t (name, tier) VALUES ($1, $2) RETURNING ${TEAM}`, [name, tier]);
  return rows[0]!;
}

export async function insertMember(db: Queryable, m: { teamId: string; userId: string; role: TeamRole }): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO team_members (team_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
    m.teamId,
    m.userId,
    m.role,
  ]);
  return rowCount > 0;
}

/** The team as one of its members sees it, with that member's role and cap; undefined for a non-member. */
export async function findMembership(
  db: Queryable,
  { teamId, userId, forUpdate = false }: { teamId: string; userId: string; forUpdate?: boolean },
): Promise<MembershipRow | undefined> {
  const { rows } = await db.query<MembershipRow>(
    `SELECT ${TEAM}, m.role, m.monthly_token_cap FROM teams t JOIN team_members m ON m.team_id = t.id
     WHERE t.id = $1 AND m.user_id = $2 ${forUpdate ? 'FOR UPDATE OF m' : ''}`,
    [teamId, userId],
  );
  return rows[0];
}

export async function listMembershipsOfUser(db: Queryable, { userId }: { userId: string }): Promise<MembershipRow[]> {
  const { rows } = await db.query<MembershipRow>(
    `SELECT ${TEAM}, m.role, m.monthly_token_cap FROM teams t JOIN team_members m ON m.team_id = t.id
     WHERE m.user_id = $1 ORDER BY t.name, t.id`,
    [userId],
  );
  return rows;
}

export async function listMembers(db: Queryable, { teamId }: { teamId: string }): Promise<MemberRow[]> {
  const { rows } = await db.query<MemberRow>(
    `SELECT user_id, role, monthly_token_cap, joined_at FROM team_members WHERE team_id = $1
     ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, joined_at, user_id`,
    [teamId],
  );
  return rows;
}

export async function updateMember(
  db: Queryable,
  { teamId, userId, role, cap }: { teamId: string; userId: string; role?: TeamRole; cap?: number | null },
): Promise<MemberRow | undefined> {
  const { rows } = await db.query<MemberRow>(
    `UPDATE team_members SET role = COALESCE($3, role), monthly_token_cap = CASE WHEN $4 THEN $5::bigint ELSE monthly_token_cap END
     WHERE team_id = $1 AND user_id = $2 RETURNING user_id, role, monthly_token_cap, joined_at`,
    [teamId, userId, role ?? null, cap !== undefined, cap ?? null],
  );
  return rows[0];
}

export async function deleteMember(db: Queryable, { teamId, userId }: { teamId: string; userId: string }): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM team_members WHERE team_id = $1 AND user_id = $2', [teamId, userId]);
  return rowCount > 0;
}

/**
 * Locks the team's row until the transaction ends: a member or an invitation added meanwhile waits
 * (their foreign key takes a share lock on it), so what is counted under the lock stays true.
 */
export async function lockTeam(db: Queryable, { teamId }: { teamId: string }): Promise<boolean> {
  const { rowCount } = await db.query('SELECT id FROM teams WHERE id = $1 FOR UPDATE', [teamId]);
  return rowCount > 0;
}

/** Locks the teams the user owns (in id order, so two deletions never wait on each other in a circle). */
export async function lockTeamsOwnedBy(db: Queryable, { userId }: { userId: string }): Promise<Array<{ id: string; name: string }>> {
  const { rows } = await db.query<{ id: string; name: string }>(
    `SELECT t.id, t.name FROM teams t JOIN team_members m ON m.team_id = t.id
     WHERE m.user_id = $1 AND m.role = 'owner' ORDER BY t.id FOR UPDATE OF t`,
    [userId],
  );
  return rows;
}

/** How many members each of the teams has (read after lockTeam / lockTeamsOwnedBy). */
export async function countMembers(db: Queryable, { teamIds }: { teamIds: string[] }): Promise<Map<string, number>> {
  const { rows } = await db.query<{ team_id: string; n: number }>(
    'SELECT team_id, count(*)::int AS n FROM team_members WHERE team_id = ANY($1::uuid[]) GROUP BY team_id',
    [teamIds],
  );
  return new Map(rows.map((r) => [r.team_id, r.n]));
}

/**
 * Deletes a team: its members, invitations and team keys go with it (ON DELETE CASCADE). Its usage
 * is usage's and stays: records, pool and shares keep the team's id (there is no foreign key).
 */
export async function deleteTeam(db: Queryable, { teamId }: { teamId: string }): Promise<void> {
  await db.query('DELETE FROM teams WHERE id = $1', [teamId]);
}

/** The team an invitation is for, read without a lock (to lock the team first, then the invitation). */
export async function findInvitationTeam(db: Queryable, { id }: { id: string }): Promise<string | undefined> {
  const { rows } = await db.query<{ team_id: string }>('SELECT team_id FROM team_invitations WHERE id = $1', [id]);
  return rows[0]?.team_id;
}

/** A share lock on the team: compatible with other joins, exclusive of the team's deletion. */
export async function lockTeamShared(db: Queryable, { teamId }: { teamId: string }): Promise<void> {
  await db.query('SELECT id FROM teams WHERE id = $1 FOR SHARE', [teamId]);
}

export async function renameTeam(db: Queryable, { teamId, name }: { teamId: string; name: string }): Promise<void> {
  await db.query('UPDATE teams SET name = $2 WHERE id = $1', [teamId, name]);
}

/** Sets a team's tier, answering the row before and after; undefined for no such team. */
export async function setTeamTier(db: Queryable, { teamId, tier }: { teamId: string; tier: TierName }) {
  const { rows } = await db.query<TeamRow & { before_tier: TierName }>(
    `UPDATE teams AS t SET tier = $2, tier_updated_at = CASE WHEN t.tier = $2 THEN t.tier_updated_at ELSE now() END
     FROM (SELECT id, tier AS before_tier FROM teams WHERE id = $1 FOR UPDATE) AS b WHERE t.id = b.id
     RETURNING ${TEAM}, b.before_tier`,
    [teamId, tier],
  );
  return rows[0];
}

/** Every team, newest first (or the one `teamId` names), with its number of members. */
export async function listTeams(db: Queryable, { limit, offset, teamId }: { limit: number; offset: number; teamId?: string }) {
  const { rows } = await db.query<TeamRow & { members: number; total: number }>(
    `SELECT ${TEAM}, (SELECT count(*)::int FROM team_members m WHERE m.team_id = t.id) AS members, count(*) OVER ()::int AS total
     FROM teams t WHERE $3::uuid IS NULL OR t.id = $3 ORDER BY t.created_at DESC, t.id LIMIT $1 OFFSET $2`,
    [limit, offset, teamId ?? null],
  );
  return { rows, total: rows[0]?.total ?? 0 };
}

export async function insertInvitation(
  db: Queryable,
  i: { teamId: string; email: string; role: InvitationRow['role']; invitedBy: string; expiresAt: Date },
): Promise<InvitationRow> {
  const { rows } = await db.query<InvitationRow>(
    `INSERT INTO team_invitations (team_id, email, role, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${INVITATION}`,
    [i.teamId, i.email, i.role, i.invitedBy, i.expiresAt],
  );
  return rows[0]!;
}

/** The team's invitations still open (neither accepted nor revoked, not expired), newest first. */
export async function listOpenInvitations(db: Queryable, { teamId, now }: { teamId: string; now: Date }): Promise<InvitationRow[]> {
  const { rows } = await db.query<InvitationRow>(
    `SELECT ${INVITATION} FROM team_invitations
     WHERE team_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id`,
    [teamId, now],
  );
  return rows;
}

export async function findInvitationForUpdate(db: Queryable, { id }: { id: string }): Promise<InvitationRow | undefined> {
  const { rows } = await db.query<InvitationRow>(`SELECT ${INVITATION} FROM team_invitations WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0];
}

export async function markInvitationAccepted(db: Queryable, { id, at }: { id: string; at: Date }): Promise<void> {
  await db.query('UPDATE team_invitations SET accepted_at = $2 WHERE id = $1', [id, at]);
}

export async function revokeInvitation(db: Queryable, { id, teamId, at }: { id: string; teamId: string; at: Date }): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE team_invitations SET revoked_at = $3 WHERE id = $1 AND team_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL',
    [id, teamId, at],
  );
  return rowCount > 0;
}

/** How many teams each tier has (the site admin's totals). */
export async function countTeamsByTier(db: Queryable): Promise<Array<{ tier: TierName; teams: number }>> {
  const { rows } = await db.query<{ tier: TierName; teams: number }>('SELECT tier, count(*)::int AS teams FROM teams GROUP BY tier ORDER BY tier');
  return rows;
}

export async function findTiersOfTeams(db: Queryable, { ids }: { ids: string[] }): Promise<Array<{ id: string; tier: TierName }>> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string; tier: TierName }>('SELECT id, tier FROM teams WHERE id = ANY($1::uuid[])', [ids]);
  return rows;
}
