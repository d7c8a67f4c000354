// Teams (docs/decisions/021): a shared monthly pool on the team's own tier, split among members by
// caps a team admin sets. The rules of roles live here: the owner hands the team over, admins
// invite, remove members and set caps, members use the pool and may leave. To anyone outside a
// team, the team and everything in it is 404: its existence is not told.
import { AppError } from '../../lib/errors.js';
import type { Mailer } from '../../lib/mail/mailer.js';
import { getTierLimits, type TierName, type TierTable } from '../../lib/tiers/tiers.js';
import type { Db, Queryable } from '../../platform/db/db.js';
import type { UsageReportService } from '../usage/usage-report.service.js';
import { normaliseEmail, type UserRow, type UsersService } from '../users/users.service.js';
import type { InvitationSigner } from './invitation-token.js';
import {
  countMembers,
  countTeamsByTier,
  deleteMember,
  deleteTeam,
  findInvitationForUpdate,
  findInvitationTeam,
  findMembership,
  findTiersOfTeams,
  insertInvitation,
  insertMember,
  insertTeam,
  listMembers,
  listMembershipsOfUser,
  listOpenInvitations,
  listTeams,
  lockTeam,
  lockTeamShared,
  lockTeamsOwnedBy,
  markInvitationAccepted,
  renameTeam,
  revokeInvitation,
  setTeamTier,
  updateMember,
  type InvitationRow,
  type MembershipRow,
  type TeamRole,
  type TeamRow,
} from './teams.repository.js';

/** A team as the site admin's list shows it. */
export type TeamSummary = TeamRow & { members: number };

/** How long an invitation link works. */
export const INVITATION_TTL_HOURS = 7 * 24;

const RANK: Record<TeamRole, number> = { member: 0, admin: 1, owner: 2 };

export interface TeamsServiceDeps {
  db: Db;
  users: Pick<UsersService, 'emailsOf'>;
  reports: Pick<UsageReportService, 'teamMonth'>;
  mailer: Pick<Mailer, 'send'>;
  /** SMTP is set up: invitations are mailed; otherwise the inviter is shown the link to pass on. */
  mailConfigured: boolean;
  publicUrl: string;
  signer: InvitationSigner;
  tiers: TierTable;
  now: () => Date;
}

export function createTeamsService(deps: TeamsServiceDeps) {
  const { db, now } = deps;

  /** The caller's membership, or 404 for a team they are not in (or that does not exist). */
  async function membershipOf(
    userId: string,
    teamId: string,
    { tx = db, forUpdate = false }: { tx?: Queryable; forUpdate?: boolean } = {},
  ): Promise<MembershipRow> {
    const found = await findMembership(tx, { teamId, userId, forUpdate });
    if (!found) throw new AppError('TEAM_NOT_FOUND', `You are not a member of a team ${teamId}.`);
    return found;
  }

  function requireRole(membership: MembershipRow, role: TeamRole, what: string) {
    if (RANK[membership.role] < RANK[role]) throw new AppError('TEAM_ROLE_REQUIRED', `Only a team ${role} can ${what}; you are a ${membership.role}.`);
  }

  const poolOf = (tier: TierName) => getTierLimits(deps.tiers, tier).monthlyTokens;
  const inviteLink = (token: string) => `${deps.publicUrl}/teams/join#token=${token}`;

  return {
    async create(user: UserRow, name: string): Promise<MembershipRow> {
      return db.transaction(async (tx) => {
        const team = await insertTeam(tx, { name, tier: 'free' });
        await insertMember(tx, { teamId: team.id, userId: user.id, role: 'owner' });
        return { ...team, role: 'owner' as const, monthly_token_cap: null };
      });
    },

    listMine: (userId: string) => listMembershipsOfUser(db, { userId }),

    /** The team as the caller sees it: members for everyone in it, open invitations for its admins. */
    async get(userId: string, teamId: string) {
      const me = await membershipOf(userId, teamId);
      const members = await listMembers(db, { teamId });
      const emails = await deps.users.emailsOf(members.map((m) => m.user_id));
      const invitations = RANK[me.role] >= RANK.admin ? await listOpenInvitations(db, { teamId, now: now() }) : [];
      return { team: me, pool: poolOf(me.tier), members: members.map((m) => ({ ...m, email: emails.get(m.user_id) ?? '' })), invitations };
    },

    async rename(userId: string, teamId: string, name: string) {
      requireRole(await membershipOf(userId, teamId), 'admin', 'rename the team');
      await renameTeam(db, { teamId, name });
      return this.get(userId, teamId);
    },

    /**
     * Invites an address, as a member or an admin. The link is mailed when mail is set up; the
     * answer carries it for the inviter to pass on otherwise (and never when it was mailed).
     */
    async invite(user: UserRow, teamId: string, { email, role }: { email: string; role: InvitationRow['role'] }) {
      const me = await membershipOf(user.id, teamId);
      requireRole(me, 'admin', 'invite people');
      const address = normaliseEmail(email);
      const members = await listMembers(db, { teamId });
      const emails = await deps.users.emailsOf(members.map((m) => m.user_id));
      if ([...emails.values()].includes(address)) throw new AppError('TEAM_ALREADY_MEMBER', `${address} is already in ${me.name}.`);
      const invitation = await insertInvitation(db, {
        teamId,
        email: address,
        role,
        invitedBy: user.id,
        expiresAt: new Date(now().getTime() + INVITATION_TTL_HOURS * 3600_000),
      });
      const link = inviteLink(deps.signer.sign({ id: invitation.id, expiresAt: invitation.expires_at }));
      if (deps.mailConfigured) {
        await deps.mailer.send({
          to: address,
          subject: `${user.email} invites you to ${me.name} on Quota Chat`,
          text: [
            `${user.email} invites you to the team "${me.name}" on Quota Chat at ${deps.publicUrl}, as ${role === 'admin' ? 'an admin' : 'a member'}.`,
            '',
            `To join, sign in as ${address} and open this link within ${INVITATION_TTL_HOURS / 24} days:`,
            link,
            '',
            'If you do not know the sender, ignore this message.',
          ].join('\n'),
        });
      }
      return { invitation, link: deps.mailConfigured ? null : link, mailed: deps.mailConfigured };
    },

    async revokeInvitation(userId: string, teamId: string, invitationId: string) {
      requireRole(await membershipOf(userId, teamId), 'admin', 'withdraw invitations');
      if (!(await revokeInvitation(db, { id: invitationId, teamId, at: now() })))
        throw new AppError('TEAM_INVITATION_NOT_FOUND', `The team has no open invitation ${invitationId}.`);
    },

    /** Joins the team of a valid, open invitation sent to the caller's address, in its role. */
    async accept(user: UserRow, token: string): Promise<MembershipRow> {
      const invalid = () => new AppError('TEAM_INVITATION_INVALID', 'Ask the team for a new invitation: this one is not valid, has expired or was used.');
      const id = deps.signer.verify(token, now());
      if (!id) throw invalid();
      return db.transaction(async (tx) => {
        // The team first, then the invitation: the order a team's deletion takes them in (no deadlock).
        const teamId = await findInvitationTeam(tx, { id });
        if (teamId) await lockTeamShared(tx, { teamId });
        const invitation = await findInvitationForUpdate(tx, { id });
        if (!invitation || invitation.accepted_at || invitation.revoked_at || new Date(invitation.expires_at) <= now()) throw invalid();
        // Sent to someone else: the same answer, so a link that leaked tells nothing.
        if (invitation.email !== normaliseEmail(user.email)) throw invalid();
        if (!(await insertMember(tx, { teamId: invitation.team_id, userId: user.id, role: invitation.role })))
          throw new AppError('TEAM_ALREADY_MEMBER', 'You are already a member of this team.');
        await markInvitationAccepted(tx, { id, at: now() });
        return membershipOf(user.id, invitation.team_id, { tx });
      });
    },

    /**
     * A team admin sets a member's cap inside the pool (null: the pool only); the owner alone moves
     * people between member and admin. Ownership moves only by handing it over (transfer).
     */
    async updateMember(actorId: string, teamId: string, userId: string, changes: { role?: 'admin' | 'member'; monthly_token_cap?: number | null }) {
      const me = await membershipOf(actorId, teamId);
      requireRole(me, 'admin', "change members' caps or roles");
      if (changes.role !== undefined) requireRole(me, 'owner', 'change roles');
      return db.transaction(async (tx) => {
        const target = await findMembership(tx, { teamId, userId, forUpdate: true });
        if (!target) throw new AppError('TEAM_MEMBER_NOT_FOUND', `The team has no member ${userId}.`);
        if (changes.role !== undefined && target.role === 'owner')
          throw new AppError('TEAM_ROLE_REQUIRED', 'The owner stays owner until they hand the team over.');
        return (await updateMember(tx, { teamId, userId, role: changes.role, cap: changes.monthly_token_cap }))!;
      });
    },

    /** Leaving (oneself) or removing someone: admins remove members, the owner removes admins too. */
    async removeMember(actorId: string, teamId: string, userId: string) {
      const me = await membershipOf(actorId, teamId);
      if (userId === actorId) {
        if (me.role === 'owner') throw new AppError('TEAM_OWNER_CANNOT_LEAVE', 'Hand the team over to another member before you leave it.');
        await deleteMember(db, { teamId, userId });
        return;
      }
      requireRole(me, 'admin', 'remove members');
      await db.transaction(async (tx) => {
        const target = await findMembership(tx, { teamId, userId, forUpdate: true });
        if (!target) throw new AppError('TEAM_MEMBER_NOT_FOUND', `The team has no member ${userId}.`);
        if (RANK[target.role] >= RANK[me.role]) throw new AppError('TEAM_ROLE_REQUIRED', `A team ${me.role} cannot remove a team ${target.role}.`);
        await deleteMember(tx, { teamId, userId });
      });
    },

    /** The owner hands the team over to a member, staying on as an admin; one transaction. */
    async transfer(actorId: string, teamId: string, userId: string) {
      await db.transaction(async (tx) => {
        const me = await membershipOf(actorId, teamId, { tx, forUpdate: true });
        requireRole(me, 'owner', 'hand the team over');
        const target = await findMembership(tx, { teamId, userId, forUpdate: true });
        if (!target || userId === actorId) throw new AppError('TEAM_MEMBER_NOT_FOUND', `The team has no other member ${userId}.`);
        // The old owner steps down first: one owner at a time (a unique index holds it too).
        await updateMember(tx, { teamId, userId: actorId, role: 'admin' });
        await updateMember(tx, { teamId, userId, role: 'owner' });
      });
    },

    /**
     * The owner deletes the team: members, invitations and team keys go; its usage stays for the
     * operator, records and months keeping the team's id (docs/decisions/021).
     */
    async remove(actorId: string, teamId: string) {
      await db.transaction(async (tx) => {
        requireRole(await membershipOf(actorId, teamId, { tx }), 'owner', 'delete the team');
        await lockTeam(tx, { teamId });
        await deleteTeam(tx, { teamId });
      });
    },

    /**
     * In an account's deletion: a team the account owns alone goes with it; one with other members
     * refuses the deletion (409, naming them), as its owner must hand it over or delete it first.
     */
    async releaseOwnedBy(userId: string, { tx }: { tx: Queryable }) {
      const owned = await lockTeamsOwnedBy(tx, { userId });
      if (owned.length === 0) return;
      const members = await countMembers(tx, { teamIds: owned.map((t) => t.id) });
      const shared = owned.filter((t) => (members.get(t.id) ?? 0) > 1);
      if (shared.length > 0) {
        throw new AppError(
          'ACCOUNT_OWNS_TEAMS',
          `You own ${shared.map((t) => `"${t.name}"`).join(', ')}, which other people use: hand each over to a member or delete it first.`,
          { teams: shared.map((t) => ({ id: t.id, name: t.name })) },
        );
      }
      for (const team of owned) await deleteTeam(tx, { teamId: team.id });
    },

    /** The team's month: for its admins by member and by model; for a member, their own use of the pool. */
    async usage(actorId: string, teamId: string, month?: string) {
      const me = await membershipOf(actorId, teamId);
      const admin = RANK[me.role] >= RANK.admin;
      const report = await deps.reports.teamMonth(teamId, { month, userId: admin ? undefined : actorId });
      const members = await listMembers(db, { teamId });
      const shown = admin ? members : members.filter((m) => m.user_id === actorId);
      const emails = await deps.users.emailsOf(shown.map((m) => m.user_id));
      const limit = poolOf(me.tier);
      const zero = { used: 0, reserved: 0, requests: 0, cost_usd: 0 };
      return {
        month: report.month,
        resets_at: report.resets_at,
        tier: me.tier,
        pool: { limit, ...report.pool, remaining: Math.max(0, limit - report.pool.used - report.pool.reserved) },
        by_member: shown.map((m) => ({
          user_id: m.user_id,
          email: emails.get(m.user_id) ?? '',
          role: m.role,
          monthly_token_cap: m.monthly_token_cap === null ? null : Number(m.monthly_token_cap),
          ...(report.members.get(m.user_id) ?? zero),
        })),
        by_model: report.by_model,
      };
    },

    /**
     * What metering needs to charge a call to the team: its tier and the member's cap. 404 for a
     * team the user is not in, so a call cannot be charged to someone else's pool.
     */
    async chargeFor(userId: string, teamId: string): Promise<{ id: string; tier: TierName; member_cap: number | null }> {
      const me = await membershipOf(userId, teamId);
      return { id: me.id, tier: me.tier, member_cap: me.monthly_token_cap === null ? null : Number(me.monthly_token_cap) };
    },

    /** Whether the user is in the team (a key's team is checked at creation and on every use). */
    isMember: async (userId: string, teamId: string) => (await findMembership(db, { teamId, userId })) !== undefined,

    // The site admin's view (features/admin composes it, audited there).
    listAll: (page: { limit: number; offset: number; teamId?: string }) => listTeams(db, page),
    setTier: (teamId: string, tier: TierName, { tx }: { tx: Queryable }) => setTeamTier(tx, { teamId, tier }),
    countByTier: () => countTeamsByTier(db),
    tiersOf: (ids: string[]) => findTiersOfTeams(db, { ids }),
    poolOf,
  };
}

export type TeamsService = ReturnType<typeof createTeamsService>;
