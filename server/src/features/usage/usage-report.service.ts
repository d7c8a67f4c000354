// What a user (or an admin, for any user) sees of a month: limit, used, reserved, remaining, and
// breakdowns by model and by day; and the cross-user sums that admin composes into its totals.
import type { TierName } from '../../lib/tiers/tiers.js';
import type { Db } from '../../platform/db/db.js';
import type { UsersService } from '../users/users.service.js';
import { monthOf, monthResetsAt } from './month.js';
import { nanoToUsd } from './pricing.js';
import {
  findMonthlyUsageOfUsers,
  findTeamMemberMonths,
  findTeamMonth,
  sumTeamUsageByModel,
  sumUsageByDay,
  sumUsageByModel,
  sumUsageByTeam,
  sumUsageByUser,
  type ModelUsageRow,
} from './usage-report.repository.js';
import { findMonthlyUsage } from './usage.repository.js';
import type { UsageResponse } from './usage.schemas.js';
import type { UsageService } from './usage.service.js';

type LimitedUser = { id: string; tier: TierName; monthly_token_cap: number | null };

export interface UsageReportDeps {
  db: Db;
  now: () => Date;
  usage: Pick<UsageService, 'limitsFor'>;
  users: Pick<UsersService, 'setMonthlyTokenCap'>;
}

export function createUsageReportService({ db, now, usage, users }: UsageReportDeps) {
  return {
    async monthSummary(user: { id: string; tier: TierName; monthly_token_cap: number | null }, month = monthOf(now())) {
      const row = await findMonthlyUsage(db, { userId: user.id, month });
      const { tier, limit } = usage.limitsFor(user);
      const used = Number(row?.total_tokens ?? 0);
      const reserved = Number(row?.reserved_tokens ?? 0);
      return {
        month,
        limit: tier.monthlyTokens,
        effective_limit: limit,
        used,
        reserved,
        remaining: Math.max(0, limit - used - reserved),
        requests: Number(row?.request_count ?? 0),
        cost_usd: nanoToUsd(row?.cost_nanousd ?? 0),
        resets_at: monthResetsAt(month).toISOString(),
      };
    },

    async report(user: { id: string; tier: TierName; monthly_token_cap: number | null }, month?: string): Promise<UsageResponse> {
      const summary = await this.monthSummary(user, month);
      const [byModel, byDay] = await Promise.all([
        sumUsageByModel(db, { userId: user.id, month: summary.month }),
        sumUsageByDay(db, { userId: user.id, month: summary.month }),
      ]);
      return {
        ...summary,
        tier: user.tier,
        personal_cap: user.monthly_token_cap === null ? null : Number(user.monthly_token_cap),
        by_model: byModel.map(toModelUsage),
        by_day: byDay.map((d) => ({ date: d.date, requests: Number(d.requests), total_tokens: Number(d.total_tokens) })),
      };
    },

    /** A personal cap is a column of the user's account: the users service writes it. */
    setCap: (userId: string, cap: number | null) => users.setMonthlyTokenCap(userId, cap),

    /** Used, reserved and effective limit of each given user this month (admin's user list). */
    async monthUsageOf(list: LimitedUser[], month = monthOf(now())): Promise<Map<string, { month: string; used: number; reserved: number; limit: number }>> {
      const rows = await findMonthlyUsageOfUsers(db, { userIds: list.map((u) => u.id), month });
      const byUser = new Map(rows.map((r) => [r.user_id, r]));
      return new Map(
        list.map((u) => {
          const row = byUser.get(u.id);
          return [u.id, { month, used: Number(row?.total_tokens ?? 0), reserved: Number(row?.reserved_tokens ?? 0), limit: usage.limitsFor(u).limit }];
        }),
      );
    },

    /**
     * A team's month (docs/decisions/021): its pool's used and reserved tokens, each member's share,
     * and the calls by model. With `userId`, one member's view: their own share and calls only.
     */
    async teamMonth(teamId: string, { month = monthOf(now()), userId }: { month?: string; userId?: string } = {}) {
      const [pool, members, byModel] = await Promise.all([
        findTeamMonth(db, { teamId, month }),
        findTeamMemberMonths(db, { teamId, month, userId }),
        sumTeamUsageByModel(db, { teamId, month, userId }),
      ]);
      const amounts = (r: { total_tokens: number; reserved_tokens: number; request_count: number; cost_nanousd: string } | undefined) => ({
        used: Number(r?.total_tokens ?? 0),
        reserved: Number(r?.reserved_tokens ?? 0),
        requests: Number(r?.request_count ?? 0),
        cost_usd: nanoToUsd(r?.cost_nanousd ?? 0),
      });
      return {
        month,
        resets_at: monthResetsAt(month).toISOString(),
        pool: amounts(pool),
        members: new Map(members.map((m) => [m.user_id, amounts(m)])),
        by_model: byModel.map(toModelUsage),
      };
    },

    /** Every account's month, by model, by day, by user (personal calls) and by team (its pool's). */
    async monthTotals(month = monthOf(now())) {
      const [byModel, byDay, byUser, byTeam] = await Promise.all([
        sumUsageByModel(db, { month }),
        sumUsageByDay(db, { month }),
        sumUsageByUser(db, { month }),
        sumUsageByTeam(db, { month }),
      ]);
      return { month, byModel, byDay, byUser, byTeam };
    },
  };
}

export type UsageReportService = ReturnType<typeof createUsageReportService>;

function toModelUsage(m: ModelUsageRow) {
  return {
    model: m.model,
    requests: Number(m.requests),
    input_tokens: Number(m.input_tokens),
    output_tokens: Number(m.output_tokens),
    total_tokens: Number(m.total_tokens),
    cost_usd: nanoToUsd(m.cost_nanousd),
  };
}
