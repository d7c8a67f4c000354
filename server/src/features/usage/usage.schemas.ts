import { z } from 'zod';
import { TIER_NAMES } from '../../lib/tiers/tiers.js';

export const monthQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Use YYYY-MM, e.g. 2026-11.')
    .optional(),
});

export const modelUsage = z.object({
  model: z.string(),
  requests: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  total_tokens: z.number(),
  cost_usd: z.number(),
});

export const dayUsage = z.object({ date: z.string(), requests: z.number(), total_tokens: z.number() });

export const usageResponse = z.object({
  month: z.string(),
  tier: z.enum(TIER_NAMES),
  /** The tier's monthly tokens. */
  limit: z.number(),
  personal_cap: z.number().nullable(),
  /** The lower of the tier limit and the personal cap: what requests are checked against. */
  effective_limit: z.number(),
  used: z.number(),
  reserved: z.number(),
  remaining: z.number(),
  requests: z.number(),
  cost_usd: z.number(),
  resets_at: z.string(),
  by_model: z.array(modelUsage),
  by_day: z.array(dayUsage),
});
export type UsageResponse = z.infer<typeof usageResponse>;

export const capBody = z.object({
  monthly_token_cap: z.number().int('Use a whole number of tokens.').min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
});

export type ModelUsage = z.infer<typeof modelUsage>;
export type DayUsage = z.infer<typeof dayUsage>;
export type CapBody = z.infer<typeof capBody>;
