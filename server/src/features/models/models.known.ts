// Context windows, output caps and list prices (USD per million tokens) of well-known models, so
// that OPENAI_MODELS=gpt-4o-mini needs nothing else. Prices change: a MODELS_FILE entry overrides
// any of these values, and a model not listed here gets GENERIC_LIMITS and a price of 0.
export interface KnownModel {
  label: string;
  contextWindow: number;
  maxOutputTokens: number;
  inputUsdPerMillion: string;
  outputUsdPerMillion: string;
}

export const GENERIC_LIMITS = { contextWindow: 8_192, maxOutputTokens: 2_048 };

export const KNOWN_MODELS: Record<string, KnownModel> = {
  'gpt-4o-mini': { label: 'GPT-4o mini', contextWindow: 128_000, maxOutputTokens: 16_384, inputUsdPerMillion: '0.15', outputUsdPerMillion: '0.60' },
  'gpt-4o': { label: 'GPT-4o', contextWindow: 128_000, maxOutputTokens: 16_384, inputUsdPerMillion: '2.50', outputUsdPerMillion: '10.00' },
  'gpt-4.1': { label: 'GPT-4.1', contextWindow: 1_047_576, maxOutputTokens: 32_768, inputUsdPerMillion: '2.00', outputUsdPerMillion: '8.00' },
  'gpt-4.1-mini': { label: 'GPT-4.1 mini', contextWindow: 1_047_576, maxOutputTokens: 32_768, inputUsdPerMillion: '0.40', outputUsdPerMillion: '1.60' },
  'gpt-4.1-nano': { label: 'GPT-4.1 nano', contextWindow: 1_047_576, maxOutputTokens: 32_768, inputUsdPerMillion: '0.10', outputUsdPerMillion: '0.40' },
  'claude-3-5-haiku-latest': {
    label: 'Claude 3.5 Haiku',
    contextWindow: 200_000,
    maxOutputTokens: 8_192,
    inputUsdPerMillion: '0.80',
    outputUsdPerMillion: '4.00',
  },
  'claude-haiku-4-5': { label: 'Claude Haiku 4.5', contextWindow: 200_000, maxOutputTokens: 64_000, inputUsdPerMillion: '1.00', outputUsdPerMillion: '5.00' },
  'claude-sonnet-4-5': {
    label: 'Claude Sonnet 4.5',
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    inputUsdPerMillion: '3.00',
    outputUsdPerMillion: '15.00',
  },
  'claude-opus-4-1': { label: 'Claude Opus 4.1', contextWindow: 200_000, maxOutputTokens: 32_000, inputUsdPerMillion: '15.00', outputUsdPerMillion: '75.00' },
};
