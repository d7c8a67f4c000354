// The tier table as the operator sets it: the defaults (tiers.ts), overridden by TIER_LIMITS_FILE,
// overridden in turn by TIER_<NAME>_MONTHLY_TOKENS and TIER_<NAME>_REQUESTS_PER_MINUTE. A part of
// the settings schema (config.ts).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fromEnv, optionalWholeNumber, WHOLE_LINE } from '../env-schema.js';
import { DEFAULT_TIER_LIMITS, mergeTierLimits, TIER_NAMES, tierOverridesSchema, type TierLimits, type TierName, type TierTable } from './tiers.js';

type TierOverrides = Partial<Record<TierName, Partial<TierLimits>>>;

/** TIER_LIMITS_FILE: any subset of tiers and fields, as JSON. */
const tierLimitsFile = z
  .string()
  .optional()
  .transform((file, ctx): TierOverrides => {
    if (!file) return {};
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `cannot read "${file}" as JSON (${(err as Error).message})` });
      return z.NEVER;
    }
    const parsed = tierOverridesSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    for (const i of parsed.error.issues)
      ctx.addIssue({ code: 'custom', message: `TIER_LIMITS_FILE (${file}) ${i.path.join('.')}: ${i.message}`, params: WHOLE_LINE });
    return z.NEVER;
  });

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
