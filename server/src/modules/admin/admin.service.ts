// Admin composes other modules' services; its own SQL is only the cross-user listing and the
// audit log. Every change is audited in the transaction that makes it.
import type { Db } from '../../db/db.js';
import { AppError } from '../../lib/errors.js';
import type { AuthService } from '../auth/auth.service.js';
import type { TierName, TierTable } from '../tiers/tiers.js';
import { getTierLimits } from '../tiers/tiers.js';
import { monthOf } from '../usage/month.js';
import { nanoToUsd } from '../usage/pricing.js';
import { sumUsageByDay, sumUsageByModel, sumUsageByTier } from '../usage/usage-report.repository.js';
import type { UserRow } from '../users/users.repository.js';
import { toUserResponse } from '../users/users.schemas.js';
import type { UsersService } from '../users/users.service.js';
import { insertAuditEntry, listAuditEntries, listUsersWithUsage } from './admin.repository.js';

export interface UserChanges {
  tier?: TierName;
  is_active?: boolean;
  role?: 'user' | 'admin';
}

export interface AdminServiceDeps {
  db: Db;
  users: UsersService;
  auth: Pick<AuthService, 'endSessionsOf'>;
  tiers: TierTable;
  now: () => Date;
}

export function createAdminService({ db, users, auth, tiers, now }: AdminServiceDeps) {
  return {
    async listUsers({ q, limit, offset }: { q?: string; limit: number; offset: number }) {
      const month = monthOf(now());
      const { rows, total } = await listUsersWithUsage(db, { q, month, limit, offset });
      return {
        total,
        items: rows.map((r) => {
          const tierLimit = getTierLimits(tiers, r.tier).monthlyTokens;
          const limit = r.monthly_token_cap === null ? tierLimit : Math.min(tierLimit, Number(r.monthly_token_cap));
          return { ...toUserResponse({ ...r, password_hash: '' }), usage: { month, used: Number(r.used), reserved: Number(r.reserved), limit } };
        }),
      };
    },

    async updateUser(actor: UserRow, targetId: string, changes: UserChanges) {
      if (targetId === actor.id && (changes.is_active === false || changes.role === 'user')) {
        // An admin locking themselves out could leave nobody able to undo it.
        throw new AppError('FORBIDDEN', 'You cannot deactivate yourself or remove your own admin role.');
      }
      const pick = (u: UserRow) => ({ tier: u.tier, is_active: u.is_active, role: u.role });
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
            after: pick(changed),
          });
        },
      );
      return after;
    },

    async usageTotals(month = monthOf(now())) {
      const [byTier, byModel, byDay] = await Promise.all([
        sumUsageByTier(db, { month }),
        sumUsageByModel(db, { month }),
        sumUsageByDay(db, { month }),
      ]);
      const totals = byTier.reduce(
        (acc, t) => ({ total_tokens: acc.total_tokens + Number(t.total_tokens), cost_nano: acc.cost_nano + BigInt(t.cost_nanousd), requests: acc.requests + Number(t.requests) }),
        { total_tokens: 0, cost_nano: 0n, requests: 0 },
      );
      return {
        month,
        totals: { total_tokens: totals.total_tokens, cost_usd: nanoToUsd(totals.cost_nano), requests: totals.requests },
        by_tier: byTier.map((t) => ({ tier: t.tier, users: Number(t.users), total_tokens: Number(t.total_tokens), cost_usd: nanoToUsd(t.cost_nanousd), requests: Number(t.requests) })),
        by_model: byModel.map((m) => ({ model: m.model, total_tokens: Number(m.total_tokens), cost_usd: nanoToUsd(m.cost_nanousd), requests: Number(m.requests) })),
        by_day: byDay.map((d) => ({ date: d.date, total_tokens: Number(d.total_tokens), requests: Number(d.requests) })),
      };
    },

    auditLog: (limit: number) => listAuditEntries(db, { limit }),
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
