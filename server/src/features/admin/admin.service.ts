// Admin composes other modules' services (users, auth, usage reports); its own table is only the
// audit log. Every change is audited in the transaction that makes it.
import { AppError } from '../../lib/errors.js';
import type { TierName } from '../../lib/tiers/tiers.js';
import type { Db, Queryable } from '../../platform/db/db.js';
import type { AuthService } from '../auth/auth.service.js';
import type { TeamsService, TeamSummary } from '../teams/teams.service.js';
import { monthOf } from '../usage/month.js';
import { nanoToUsd } from '../usage/pricing.js';
import type { UsageReportService } from '../usage/usage-report.service.js';
import { toUserResponse } from '../users/users.schemas.js';
import type { UserRow, UsersService } from '../users/users.service.js';
import { insertAuditEntry, listAuditEntries } from './admin.repository.js';
import type { TierChangeCause } from './admin.schemas.js';

export interface UserChanges {
  tier?: TierName;
  is_active?: boolean;
  role?: 'user' | 'admin';
}

export interface AdminServiceDeps {
  db: Db;
  users: UsersService;
  auth: Pick<AuthService, 'endSessionsOf'>;
  reports: Pick<UsageReportService, 'monthUsageOf' | 'monthTotals' | 'teamMonth'>;
  teams: Pick<TeamsService, 'listAll' | 'setTier' | 'poolOf' | 'countByTier' | 'tiersOf'>;
  now: () => Date;
}

/** The command line (npm run admin) acts as no account; its audit entries name it instead. */
const CLI_ACTOR = { id: null, email: 'cli' } as const;
/** Billing's changes follow Stripe's events; no account makes them. */
const BILLING_ACTOR = { id: null, email: 'stripe' } as const;

export function createAdminService({ db, users, auth, reports, teams, now }: AdminServiceDeps) {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  const teamOf = async (t: TeamSummary, month: string) => {
    const { pool } = await reports.teamMonth(t.id, { month });
    return {
      id: t.id,
      name: t.name,
      tier: t.tier,
      tier_updated_at: iso(t.tier_updated_at),
      members: t.members,
      created_at: new Date(t.created_at).toISOString(),
      usage: { month, used: pool.used, reserved: pool.reserved, limit: teams.poolOf(t.tier) },
    };
  };

  return {
    /** Every team, newest first, with its pool's month. */
    async listTeams(page: { limit: number; offset: number }) {
      const month = monthOf(now());
      const { rows, total } = await teams.listAll(page);
      return { total, items: await Promise.all(rows.map((t) => teamOf(t, month))) };
    },

    /** Sets a team's tier (and so its pool), audited like a user's tier change. */
    async setTeamTier(actor: UserRow, teamId: string, tier: TierName) {
      await db.transaction(async (tx) => {
        const changed = await teams.setTier(teamId, tier, { tx });
        if (!changed) throw new AppError('TEAM_NOT_FOUND', `There is no team ${teamId}.`);
        if (changed.before_tier !== changed.tier) {
          await insertAuditEntry(tx, {
            actorId: actor.id,
            actorEmail: actor.email,
            action: 'team.tier',
            targetUserId: null,
            targetTeamId: teamId,
            before: { tier: changed.before_tier },
            after: { tier: changed.tier, tier_updated_at: iso(changed.tier_updated_at) },
            cause: 'admin',
          });
        }
      });
      const { rows } = await teams.listAll({ limit: 1, offset: 0, teamId });
      return teamOf(rows[0]!, monthOf(now()));
    },

    async listUsers({ q, limit, offset }: { q?: string; limit: number; offset: number }) {
      const month = monthOf(now());
      const { rows, total } = await users.listUsers({ q, limit, offset });
      const usage = await reports.monthUsageOf(rows, month);
      return { total, items: rows.map((u) => ({ ...toUserResponse(u), usage: usage.get(u.id)! })) };
    },

    async updateUser(actor: UserRow, targetId: string, changes: UserChanges) {
      if (targetId === actor.id && (changes.is_active === false || changes.role === 'user')) {
        // An admin locking themselves out could leave nobody able to undo it.
        throw new AppError('FORBIDDEN', 'You cannot deactivate yourself or remove your own admin role.');
      }
      const pick = (u: UserRow) => ({ tier: u.tier, is_active: u.is_active, role: u.role });
      const tierOf = (u: UserRow) => ({ tier_updated_at: u.tier_updated_at ? new Date(u.tier_updated_at).toISOString() : null });
      const { after } = await users.updateUser(
        targetId,
        { tier: changes.tier, isActive: changes.is_active, role: changes.role },
        async (tx, before, changed) => {
          // A deactivation ends every session in the same transaction; access tokens stop working
          // at once anyway, since each request reloads the user.
          if (changes.is_active === false) await auth.endSessionsOf(targetId, { tx });
          await insertAuditEntry(tx, {
            actorId: actor.id,
            actorEmail: actor.email,
            action: 'user.update',
            targetUserId: targetId,
            before: pick(before),
            after: before.tier === changed.tier ? pick(changed) : { ...pick(changed), ...tierOf(changed) },
            cause: before.tier === changed.tier ? null : 'admin',
          });
        },
      );
      return after;
    },

    /**
     * Billing's way to move a tier: inside the caller's transaction (the one that records the
     * Stripe event), audited with its cause. Undefined when the account no longer exists.
     */
    async changeTier(userId: string, tier: TierName, cause: TierChangeCause, { tx }: { tx: Queryable }): Promise<UserRow | undefined> {
      const changed = await users.setTier(userId, tier, { tx });
      if (!changed || changed.before.tier === changed.after.tier) return changed?.after;
      await insertAuditEntry(tx, {
        actorId: BILLING_ACTOR.id,
        actorEmail: BILLING_ACTOR.email,
        action: 'user.tier',
        targetUserId: userId,
        before: { tier: changed.before.tier },
        after: { tier: changed.after.tier, tier_updated_at: new Date(changed.after.tier_updated_at!).toISOString() },
        cause,
      });
      return changed.after;
    },

    /** Ends every session of a user (a lost laptop, a suspected leak); audited. */
    async endSessionsOf(actor: UserRow, targetId: string): Promise<void> {
      await users.getUser(targetId);
      await db.transaction(async (tx) => {
        await auth.endSessionsOf(targetId, { tx });
        await insertAuditEntry(tx, {
          actorId: actor.id,
          actorEmail: actor.email,
          action: 'user.end_sessions',
          targetUserId: targetId,
          before: null,
          after: null,
        });
      });
    },

    async usageTotals(month = monthOf(now())) {
      const [{ byModel, byDay, byUser, byTeam }, usersByTier, teamsByTier] = await Promise.all([
        reports.monthTotals(month),
        users.countUsersByTier(),
        teams.countByTier(),
      ]);
      // Usage is per account (a user's personal calls, a team's pool), tiers are the accounts':
      // summed here by each account's current tier.
      const [userTiers, teamTiers] = await Promise.all([users.tiersOf(byUser.map((u) => u.user_id)), teams.tiersOf(byTeam.map((t) => t.team_id))]);
      const byTier = new Map<TierName, { tier: TierName; users: number; teams: number; total_tokens: number; cost_nano: bigint; requests: number }>();
      const tierRow = (tier: TierName) =>
        byTier.get(tier) ?? byTier.set(tier, { tier, users: 0, teams: 0, total_tokens: 0, cost_nano: 0n, requests: 0 }).get(tier)!;
      for (const t of usersByTier) tierRow(t.tier).users = t.users;
      for (const t of teamsByTier) tierRow(t.tier).teams = t.teams;
      const add = (tier: TierName | undefined, month: { total_tokens: number; cost_nanousd: string; requests: number }) => {
        if (!tier) return; // an account deleted since its usage was read
        const sum = tierRow(tier);
        sum.total_tokens += Number(month.total_tokens);
        sum.cost_nano += BigInt(month.cost_nanousd);
        sum.requests += Number(month.requests);
      };
      const tierOfUser = new Map(userTiers.map((u) => [u.id, u.tier]));
      const tierOfTeam = new Map(teamTiers.map((t) => [t.id, t.tier]));
      for (const u of byUser) add(tierOfUser.get(u.user_id), u);
      for (const t of byTeam) add(tierOfTeam.get(t.team_id), t);
      const tiers = [...byTier.values()].sort((a, b) => a.tier.localeCompare(b.tier));
      const totals = tiers.reduce(
        (acc, t) => ({ total_tokens: acc.total_tokens + t.total_tokens, cost_nano: acc.cost_nano + t.cost_nano, requests: acc.requests + t.requests }),
        { total_tokens: 0, cost_nano: 0n, requests: 0 },
      );
      return {
        month,
        totals: { total_tokens: totals.total_tokens, cost_usd: nanoToUsd(totals.cost_nano), requests: totals.requests },
        by_tier: tiers.map((t) => ({
          tier: t.tier,
          users: t.users,
          teams: t.teams,
          total_tokens: t.total_tokens,
          cost_usd: nanoToUsd(t.cost_nano),
          requests: t.requests,
        })),
        by_model: byModel.map((m) => ({
          model: m.model,
          total_tokens: Number(m.total_tokens),
          cost_usd: nanoToUsd(m.cost_nanousd),
          requests: Number(m.requests),
        })),
        by_day: byDay.map((d) => ({ date: d.date, total_tokens: Number(d.total_tokens), requests: Number(d.requests) })),
      };
    },

    /**
     * The operator's way to make the first admin (or take the role away) from the command line:
     * by email, audited as the CLI's. Null when no account has that email.
     */
    async setRoleByEmail(email: string, role: UserRow['role']): Promise<UserRow | null> {
      const user = await users.findUserByEmail(email);
      if (!user) return null;
      const { after } = await users.updateUser(user.id, { role }, (tx, before, changed) =>
        insertAuditEntry(tx, {
          actorId: CLI_ACTOR.id,
          actorEmail: CLI_ACTOR.email,
          action: role === 'admin' ? 'user.promote' : 'user.demote',
          targetUserId: user.id,
          before: { role: before.role },
          after: { role: changed.role },
        }),
      );
      return after;
    },

    listAdminEmails: () => users.listEmailsByRole('admin'),

    auditLog: (limit: number) => listAuditEntries(db, { limit }),
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
