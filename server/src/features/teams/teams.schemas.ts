import { z } from 'zod';
import { TIER_NAMES } from '../../lib/tiers/tiers.js';
import { emailSchema } from '../auth/auth.schemas.js';
import { modelUsage } from '../usage/usage.schemas.js';
import type { InvitationRow, MembershipRow } from './teams.repository.js';

const teamName = z.string().trim().min(1, 'Give the team a name.').max(100, 'Use at most 100 characters.');
const cap = z.number().int('Use a whole number of tokens.').min(0).max(Number.MAX_SAFE_INTEGER).nullable();
const ROLES = ['owner', 'admin', 'member'] as const;

export const createTeamBody = z.object({ name: teamName }).strict();
export const renameTeamBody = z.object({ name: teamName }).strict();
export const teamIdParams = z.object({ id: z.guid('Use a team id (a UUID).') });
/** A member is named by their user id. */
export const memberParams = teamIdParams.extend({ member_id: z.guid("Use a member's user id (a UUID).") });
export const invitationParams = teamIdParams.extend({ invitation_id: z.guid('Use an invitation id (a UUID).') });
export const inviteBody = z.object({ email: emailSchema, role: z.enum(['admin', 'member']).default('member') }).strict();
export const acceptBody = z.object({ token: z.string().min(1, 'Send the token of the invitation link.').max(200) }).strict();
export const transferBody = z.object({ member_id: z.guid("Use the new owner's user id (a UUID).") }).strict();
export const updateMemberBody = z
  .object({ role: z.enum(['admin', 'member']).optional(), monthly_token_cap: cap.optional() })
  .strict()
  .refine((b) => b.role !== undefined || b.monthly_token_cap !== undefined, 'Send role or monthly_token_cap.');
export const teamMonthQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Use YYYY-MM, e.g. 2026-11.')
    .optional(),
});

export const teamResponse = z.object({
  id: z.string(),
  name: z.string(),
  tier: z.enum(TIER_NAMES),
  /** The caller's role in the team and cap inside its pool. */
  role: z.enum(ROLES),
  monthly_token_cap: z.number().nullable(),
  created_at: z.string(),
});
export const teamListResponse = z.object({ items: z.array(teamResponse) });

export const memberResponse = z.object({
  user_id: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  monthly_token_cap: z.number().nullable(),
  joined_at: z.string(),
});
export const invitationResponse = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(['admin', 'member']),
  created_at: z.string(),
  expires_at: z.string(),
});
export const teamDetailResponse = teamResponse.extend({
  /** The team's monthly tokens (its tier's). */
  pool: z.number(),
  members: z.array(memberResponse),
  /** Open invitations: for the team's admins only (empty for members). */
  invitations: z.array(invitationResponse),
});
export const createdInvitationResponse = invitationResponse.extend({
  /** The link to pass on when mail is not set up; null when it was mailed. */
  link: z.string().nullable(),
  mailed: z.boolean(),
});

const amounts = { used: z.number(), reserved: z.number(), requests: z.number(), cost_usd: z.number() };
export const teamUsageResponse = z.object({
  month: z.string(),
  resets_at: z.string(),
  tier: z.enum(TIER_NAMES),
  pool: z.object({ limit: z.number(), remaining: z.number(), ...amounts }),
  /** Admins: every member; a member: themselves. */
  by_member: z.array(z.object({ user_id: z.string(), email: z.string(), role: z.enum(ROLES), monthly_token_cap: z.number().nullable(), ...amounts })),
  /** Admins: the team's calls by model; a member: their own. */
  by_model: z.array(modelUsage),
});

export type TeamResponse = z.infer<typeof teamResponse>;
export type TeamDetailResponse = z.infer<typeof teamDetailResponse>;
export type TeamUsageResponse = z.infer<typeof teamUsageResponse>;
export type CreatedInvitationResponse = z.infer<typeof createdInvitationResponse>;
export type MemberResponse = z.infer<typeof memberResponse>;
export type InvitationResponse = z.infer<typeof invitationResponse>;

const iso = (d: Date) => new Date(d).toISOString();

export function toTeamResponse(m: MembershipRow): TeamResponse {
  return {
    id: m.id,
    name: m.name,
    tier: m.tier,
    role: m.role,
    monthly_token_cap: m.monthly_token_cap === null ? null : Number(m.monthly_token_cap),
    created_at: iso(m.created_at),
  };
}

export function toInvitationResponse(i: InvitationRow): InvitationResponse {
  return { id: i.id, email: i.email, role: i.role, created_at: iso(i.created_at), expires_at: iso(i.expires_at) };
}

export function toMemberResponse(m: { user_id: string; email: string; role: MembershipRow['role']; monthly_token_cap: number | null; joined_at: Date }) {
  return {
    user_id: m.user_id,
    email: m.email,
    role: m.role,
    monthly_token_cap: m.monthly_token_cap === null ? null : Number(m.monthly_token_cap),
    joined_at: iso(m.joined_at),
  };
}
