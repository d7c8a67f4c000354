// The catalogue as the rest of the server sees it: which models exist, which a tier may use
// (config.tiers[tier].models, '*' = all), and the 404/403 answers given before any upstream call.
import { AppError } from '../../lib/errors.js';
import type { ModelsConfig, ModelSpec } from '../../lib/model-calls/model-spec.js';
import { getTierLimits, TIER_NAMES, tierAllowsModel, type TierName, type TierTable } from '../../lib/tiers/tiers.js';

export function createModelsService({ config, tiers }: { config: ModelsConfig; tiers: TierTable }) {
  const byId = new Map(config.models.map((m) => [m.id, m]));

  function allowed(tier: TierName, id: string) {
    return tierAllowsModel(getTierLimits(tiers, tier), id);
  }

  return {
    find(id: string): ModelSpec | undefined {
      return byId.get(id);
    },

    listForTier(tier: TierName): ModelSpec[] {
      return config.models.filter((m) => allowed(tier, m.id));
    },

    /** The catalogue's models a tier may not use (what a better plan adds), in catalogue order. */
    listOutsideTier(tier: TierName): ModelSpec[] {
      return config.models.filter((m) => !allowed(tier, m.id));
    },

    /** The tiers that include a model, in the tiers' order (GET /api/tiers has the same table). */
    tiersWith(id: string): TierName[] {
      return TIER_NAMES.filter((tier) => allowed(tier, id));
    },

    /** The operator's default when the tier may use it, else the tier's first model (demo first). */
    defaultForTier(tier: TierName): string | null {
      if (config.defaultModel && allowed(tier, config.defaultModel)) return config.defaultModel;
      return config.models.find((m) => allowed(tier, m.id))?.id ?? null;
    },

    /**
     * Unknown -> 404 MODEL_NOT_FOUND; known but not in the user's tier -> 403 MODEL_NOT_ALLOWED.
     * `listedBy` is the route the messages point to (the /v1 API has its own list).
     */
    resolveForUser(user: { tier: TierName }, id: string, listedBy = 'GET /api/models'): ModelSpec {
      const model = byId.get(id);
      if (!model) throw new AppError('MODEL_NOT_FOUND', `There is no model "${id}". ${listedBy} lists the models you can use.`);
      if (!allowed(user.tier, id)) {
        throw new AppError('MODEL_NOT_ALLOWED', `The ${user.tier} plan does not include "${id}". Pick a model from ${listedBy} or upgrade.`, {
          model: id,
          tier: user.tier,
        });
      }
      return model;
    },

    /** Provider and prices of a model, in the shape the usage module's pricing expects. */
    pricingOf(id: string) {
      const m = byId.get(id);
      return m && { provider: m.provider, inputMicroUsdPerMillion: m.inputMicroUsdPerMillion, outputMicroUsdPerMillion: m.outputMicroUsdPerMillion };
    },
  };
}

export type ModelsService = ReturnType<typeof createModelsService>;
