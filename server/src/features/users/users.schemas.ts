import { z } from 'zod';
import { TIER_NAMES } from '../../lib/tiers/tiers.js';
import type { UserRow } from './users.repository.js';

export const userResponse = z.object({
  id: z.uuid(),
  email: z.string(),
  tier: z.enum(TIER_NAMES),
  role: z.enum(['user', 'admin']),
  is_active: z.boolean(),
  tier_updated_at: z.string().nullable(),
  created_at: z.string(),
  /** Whether the account confirmed its address (it must before calling a model when REQUIRE_EMAIL_VERIFICATION is on). */
  email_verified: z.boolean(),
});
export type UserResponse = z.infer<typeof userResponse>;

/** The public shape of a user: the password hash never leaves the server. */
export function toUserResponse(row: UserRow): UserResponse {
  return {
    id: row.id,
    email: row.email,
    tier: row.tier,
    role: row.role,
    is_active: row.is_active,
    tier_updated_at: row.tier_updated_at ? new Date(row.tier_updated_at).toISOString() : null,
    created_at: new Date(row.created_at).toISOString(),
    email_verified: row.email_verified_at !== null,
  };
}
