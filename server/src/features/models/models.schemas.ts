import { z } from 'zod';
import { PROVIDERS, type ModelSpec } from '../../lib/model-calls/model-spec.js';
import { TIER_NAMES, type TierName } from '../../lib/tiers/tiers.js';
import { microUsdToUsd } from './prices.js';

export const modelResponse = z.object({
  id: z.string(),
  label: z.string(),
  provider: z.enum(PROVIDERS),
  context_window: z.number().int(),
  max_output_tokens: z.number().int(),
  /** For display; the exact integers are the *_micro_usd fields. */
  input_price_per_million_usd: z.number(),
  output_price_per_million_usd: z.number(),
  input_price_per_million_micro_usd: z.number().int(),
  output_price_per_million_micro_usd: z.number().int(),
  /** The plans that include this model, in the tiers' order. */
  tiers: z.array(z.enum(TIER_NAMES)),
});

export const modelsResponse = z.object({
  /** What your plan may use: the picker's list. */
  models: z.array(modelResponse),
  default_model: z.string().nullable(),
  /** The operator's other models, which your plan does not include (`tiers` says which plans do): for comparing. */
  other_models: z.array(modelResponse),
});

/** The public shape: the provider's own model name, keys and base URLs stay on the server. */
export function toModelResponse(m: ModelSpec, tiers: TierName[]): z.infer<typeof modelResponse> {
  return {
    id: m.id,
    label: m.label,
    provider: m.provider,
    context_window: m.contextWindow,
    max_output_tokens: m.maxOutputTokens,
    input_price_per_million_usd: microUsdToUsd(m.inputMicroUsdPerMillion),
    output_price_per_million_usd: microUsdToUsd(m.outputMicroUsdPerMillion),
    input_price_per_million_micro_usd: m.inputMicroUsdPerMillion,
    output_price_per_million_micro_usd: m.outputMicroUsdPerMillion,
    tiers,
  };
}

export type ModelResponse = z.infer<typeof modelResponse>;
export type ModelsResponse = z.infer<typeof modelsResponse>;
