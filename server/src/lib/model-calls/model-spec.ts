// What the rest of the server knows about a model: the catalogue entry. Prices are integers of
// micro-dollars per million tokens (the usage module's ModelPrice), never floats.
export const PROVIDERS = ['demo', 'openai', 'anthropic', 'openai-compatible'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export interface ModelSpec {
  /** What clients send and what usage is recorded under. */
  id: string;
  label: string;
  provider: ProviderName;
  /** The name the provider's API expects (e.g. "gpt-4o-mini", "llama3.1:8b"). */
  providerModel: string;
  contextWindow: number;
  maxOutputTokens: number;
  inputMicroUsdPerMillion: number;
  outputMicroUsdPerMillion: number;
}

/** Credentials and base URLs: set by the operator only, never by a request. */
export interface ProviderSettings {
  demo: { tokenDelayMs: number };
  openai?: { apiKey: string; baseURL?: string };
  anthropic?: { apiKey: string; baseURL?: string };
  openaiCompatible?: { baseURL: string; apiKey?: string };
}

export interface ModelsConfig {
  models: ModelSpec[];
  /** DEFAULT_MODEL or the file's default_model; each tier falls back to its first model. */
  defaultModel: string | undefined;
  providers: ProviderSettings;
}

export const DEMO_MODEL: ModelSpec = {
  id: 'demo',
  label: 'Demo (offline)',
  provider: 'demo',
  providerModel: 'demo',
  contextWindow: 16_384,
  maxOutputTokens: 2_048,
  inputMicroUsdPerMillion: 0,
  outputMicroUsdPerMillion: 0,
};
