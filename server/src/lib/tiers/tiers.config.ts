// The tier table as the operator sets it: the defaults (tiers.ts), overridden by TIER_LIMITS_FILE,
// overridden in turn by TIER_<NAME>_MONTHLY_TOKENS and TIER_<NAME>_REQUESTS_PER_MINUTE. A part of
// the settings schema (config.ts).
import { z } from 'zod';
import { fromEnv, optionalWholeNumber, readJsonFile } from '../env-schema.js';
import { DEFAULT_TIER_LIMITS, mergeTierLimits, TIER_NAMES, tierOverridesSchema, type TierLimits, type TierName, type TierTable } from './tiers.js';

type TierOverrides = Partial<Record<TierName, Partial<TierLimits>>>;

/** TIER_LIMITS_FILE: any subset of tiers and fields, as JSON. */
const tierLimitsFile = z
  .string()
  .optional()
  .transform((file, ctx): TierOverrides => (file ? readJsonFile('TIER_LIMITS_FILE', file, tierOverridesSchema, ctx) : {}));

/** TIER_<NAME>_*: one value of one tier. */
function tierValuesFromEnv(tier: TierName) {
  const prefix = `TIER_${tier.toUpperCase()}`;
  return z.object({
    monthlyTokens: fromEnv(`${prefix}_MONTHLY_TOKENS`, optionalWholeNumber(0)),
    requestsPerMinute: fromEnv(`${prefix}_REQUESTS_PER_MINUTE`, optionalWholeNumber(1)),
  });
}

const tierValues = z.object(
  Object.fromEntries(TIER_NAMES.map((tier) => [tier, tierValuesFromEnv(tier)])) as Record<TierName, ReturnType<typeof tierValuesFromEnv>>,
);

export const tiersFromEnv = z.object({ file: fromEnv('TIER_LIMITS_FILE', tierLimitsFile), values: tierValues }).transform(({ file, values }): TierTable => {
  const set: TierOverrides = {};
  for (const tier of TIER_NAMES) {
    const defined = Object.entries(values[tier]).filter(([, v]) => v !== undefined);
    if (defined.length) set[tier] = Object.fromEntries(defined);
  }
  return mergeTierLimits(DEFAULT_TIER_LIMITS, file, set);
});
