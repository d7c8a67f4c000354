import { z } from 'zod';
import { TIER_NAMES } from '../../lib/tiers/tiers.js';
import { userResponse } from '../users/users.schemas.js';

/**
 * Why a tier changed, as the audit log records it: an admin's hand, or billing (a checkout, an
 * upgrade of a running subscription, a renewal, a cancellation taking effect, a failed payment).
 */
export const TIER_CHANGE_CAUSES = ['admin', 'checkout', 'plan_change', 'renewal', 'cancellation', 'payment_failure'] as const;
export type TierChangeCause = (typeof TIER_CHANGE_CAUSES)[number];

export const listUsersQuery = z.object({
  q: z.string().trim().max(254).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const adminUser = userResponse.extend({
  usage: z.object({ month: z.string(), used: z.number(), reserved: z.number(), limit: z.number() }),
});

export const listUsersResponse = z.object({ items: z.array(adminUser), total: z.number() });

export const userIdParams = z.object({ id: z.uuid('Not a user id.') });

export const updateUserBody = z
  .object({ tier: z.enum(TIER_NAMES).optional(), is_active: z.boolean().optional(), role: z.enum(['user', 'admin']).optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'Send at least one of tier, is_active, role.' });

const money = { total_tokens: z.number(), cost_usd: z.number(), requests: z.number() };
export const adminUsageResponse = z.object({
  month: z.string(),
  totals: z.object(money),
  /** Each tier's accounts (users, teams) and the month's use of them: users' personal calls and teams' pools. */
  by_tier: z.array(z.object({ tier: z.string(), users: z.number(), teams: z.number(), ...money })),
  by_model: z.array(z.object({ model: z.string(), ...money })),
  by_day: z.array(z.object({ date: z.string(), total_tokens: z.number(), requests: z.number() })),
});

export const auditResponse = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      actor_email: z.string(),
      action: z.string(),
      target_user_id: z.string().nullable(),
      target_team_id: z.string().nullable(),
      before: z.unknown(),
      after: z.unknown(),
      cause: z.enum(TIER_CHANGE_CAUSES).nullable(),
      created_at: z.string(),
    }),
  ),
});

export const teamIdParams = z.object({ id: z.uuid('Not a team id.') });
export const listTeamsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), offset: z.coerce.number().int().min(0).default(0) });
export const setTeamTierBody = z.object({ tier: z.enum(TIER_NAMES) }).strict();
export const adminTeam = z.object({
  id: z.string(),
  name: z.string(),
  tier: z.enum(TIER_NAMES),
  tier_updated_at: z.string().nullable(),
  members: z.number(),
  created_at: z.string(),
  usage: z.object({ month: z.string(), used: z.number(), reserved: z.number(), limit: z.number() }),
});
export const listTeamsResponse = z.object({ items: z.array(adminTeam), total: z.number() });
export type AdminTeam = z.infer<typeof adminTeam>;
export type ListTeamsResponse = z.infer<typeof listTeamsResponse>;

export type AdminUser = z.infer<typeof adminUser>;
export type ListUsersResponse = z.infer<typeof listUsersResponse>;
export type UpdateUserBody = z.infer<typeof updateUserBody>;
export type AdminUsageResponse = z.infer<typeof adminUsageResponse>;
