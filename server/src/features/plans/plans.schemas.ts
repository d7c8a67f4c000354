import { z } from 'zod';
import { TIER_NAMES } from '../../lib/tiers/tiers.js';

export const tiersResponse = z.object({
  tiers: z.array(z.object({ name: z.enum(TIER_NAMES), monthly_tokens: z.number(), requests_per_minute: z.number(), models: z.array(z.string()) })),
});
export type TiersResponse = z.infer<typeof tiersResponse>;
