// Tiers are plain data plus pure functions: the defaults live here and nowhere else.
// Operators override them at start-up through TIER_LIMITS_FILE or TIER_<NAME>_* (tiers.config.ts).
import { z } from 'zod';

export const TIER_NAMES = ['free', 'starter', 'builder', 'advanced'] as const;
export type TierName = (typeof TIER_NAMES)[number];
export const tierNameSchema = z.enum(TIER_NAMES);

export interface TierLimits {
  /** Tokens (input + output) a user may spend in one UTC calendar month. */
  monthlyTokens: number;
  /** Model calls a user may start in one minute. */
  requestsPerMinute: number;
  /** Model ids this tier may call; '*' means every model in the catalogue. */
  models: string[];
}

export type TierTable = Record<TierName, TierLimits>;

export const DEFAULT_TIER_LIMITS: TierTable = {
  free: { monthlyTokens: 100_000, requestsPerMinute: 10, models: ['demo'] },
  starter: { monthlyTokens: 1_000_000, requestsPerMinute: 30, models: ['*'] },
  builder: { monthlyTokens: 5_000_000, requestsPerMinute: 60, models: ['*'] },
  advanced: { monthlyTokens: 20_000_000, requestsPerMinute: 120, models: ['*'] },
};

export const tierLimitsSchema = z.object({
  monthlyTokens: z.number().int().nonnegative(),
  requestsPerMinute: z.number().int().positive(),
  models: z.array(z.string().min(1)).min(1),
});

/** Shape of a TIER_LIMITS_FILE: any subset of tiers and fields. */
const tierOverride = tierLimitsSchema.partial().strict().optional();
export const tierOverridesSchema = z.object({ free: tierOverride, starter: tierOverride, builder: tierOverride, advanced: tierOverride }).strict();

export function validateTier(value: unknown): TierName {
  const parsed = tierNameSchema.safeParse(value);
  if (!parsed.success) throw new Error(`unknown tier "${String(value)}"; expected one of ${TIER_NAMES.join(', ')}`);
  return parsed.data;
}

export function isTier(value: unknown): value is TierName {
  return tierNameSchema.safeParse(value).success;
}

export function getTierLimits(table: TierTable, tier: TierName): TierLimits {
  return table[validateTier(tier)];
}

export function tierAllowsModel(limits: TierLimits, modelId: string): boolean {
  return limits.models.includes('*') || limits.models.includes(modelId);
}

/** Layers file overrides, then per-value env overrides, over the defaults. */
export function mergeTierLimits(
  base: TierTable,
  fileOverrides: Partial<Record<TierName, Partial<TierLimits>>> = {},
  valueOverrides: Partial<Record<TierName, Partial<TierLimits>>> = {},
): TierTable {
  const out = {} as TierTable;
  for (const tier of TIER_NAMES) {
    const merged = { ...base[tier], ...fileOverrides[tier], ...valueOverrides[tier] };
    // A copy all the way down: changing the result never changes the defaults.
    out[tier] = { ...merged, models: [...merged.models] };
  }
  return out;
}
