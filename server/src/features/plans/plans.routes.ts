// GET /api/tiers: the plans anyone may read before signing up, with their limits and models.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { TIER_NAMES, type TierTable } from '../../lib/tiers/tiers.js';
import { tiersResponse } from './plans.schemas.js';

export function publicTiers(tiers: TierTable) {
  return TIER_NAMES.map((name) => ({
    name,
    monthly_tokens: tiers[name].monthlyTokens,
    requests_per_minute: tiers[name].requestsPerMinute,
    models: tiers[name].models,
  }));
}

export const plansRoutes: FastifyPluginAsyncZod<{ tiers: TierTable }> = async (app, { tiers }) => {
  app.get('/api/tiers', {
    schema: { tags: ['plans'], summary: 'The subscription tiers with their limits and models', response: { 200: tiersResponse } },
    handler: async () => ({ tiers: publicTiers(tiers) }),
  });
};
