// The model catalogue from the operator's environment, a part of the settings schema (config.ts):
// provider keys with comma-separated model lists, and/or a MODELS_FILE with full entries. Every
// problem is reported with the variable it comes from; the built-in demo model is always first.
import { z } from 'zod';
import { commaList, fromEnv, optionalWholeNumber, readJsonFile, trimmed, variableAt, WHOLE_LINE, wholeNumber } from '../../lib/env-schema.js';
import { DEMO_MODEL, type ModelsConfig, type ModelSpec, type ProviderName, type ProviderSettings } from '../../lib/model-calls/model-spec.js';
import { GENERIC_LIMITS, KNOWN_MODELS } from './models.known.js';
import { usdToMicroUsd } from './prices.js';

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/;
const price = z.union([z.string(), z.number()]).refine((v) => usdToMicroUsd(v) !== undefined, {
  message: 'must be a price in USD per million tokens with at most 6 decimals, e.g. "0.15"',
});

const fileEntry = z
  .object({
    id: z.string().regex(MODEL_ID, 'letters, digits and . _ : / @ - only (at most 128)'),
    label: z.string().min(1).max(100).optional(),
    provider: z.enum(['openai', 'anthropic', 'openai-compatible']),
    provider_model: z.string().min(1).max(200).optional(),
    context_window: z.number().int().min(256).optional(),
    max_output_tokens: z.number().int().min(1).optional(),
    input_price_per_million_usd: price.optional(),
    output_price_per_million_usd: price.optional(),
  })
  .strict();
const modelsFile = z.object({ default_model: z.string().optional(), models: z.array(fileEntry) }).strict();
type FileEntry = z.infer<typeof fileEntry>;

function specFor(provider: ProviderName, entry: FileEntry | { id: string }, limits = GENERIC_LIMITS): ModelSpec {
  const e = entry as Partial<FileEntry> & { id: string };
  const providerModel = e.provider_model ?? e.id;
  const known = KNOWN_MODELS[providerModel];
  return {
    id: e.id,
    label: e.label ?? known?.label ?? e.id,
    provider,
    providerModel,
    contextWindow: e.context_window ?? known?.contextWindow ?? limits.contextWindow,
    maxOutputTokens: e.max_output_tokens ?? known?.maxOutputTokens ?? limits.maxOutputTokens,
    inputMicroUsdPerMillion: usdToMicroUsd(e.input_price_per_million_usd ?? known?.inputUsdPerMillion ?? 0)!,
    outputMicroUsdPerMillion: usdToMicroUsd(e.output_price_per_million_usd ?? known?.outputUsdPerMillion ?? 0)!,
  };
}

/** An http(s) URL without its trailing slashes, undefined when blank. */
const httpUrl = () =>
  trimmed().transform((raw, ctx) => {
    if (!raw) return undefined;
    if (!/^https?:\/\/[^\s]+$/.test(raw)) {
      ctx.addIssue({ code: 'custom', message: `must be an http:// or https:// URL, got "${raw}"` });
      return z.NEVER;
    }
    return raw.replace(/\/+$/, '');
  });

/** MODELS_FILE: read and checked here; its entries join the catalogue below. */
const modelsFileFromPath = trimmed().transform((file, ctx) => {
  if (!file) return undefined;
  const contents = readJsonFile('MODELS_FILE', file, modelsFile, ctx);
  return contents === z.NEVER ? z.NEVER : { path: file, ...contents };
});

const modelSettings = z.object({
  demo: z.object({ tokenDelayMs: fromEnv('DEMO_TOKEN_DELAY_MS', wholeNumber(0, 15)) }),
  openai: z.object({
    apiKey: fromEnv('OPENAI_API_KEY', trimmed()),
    baseURL: fromEnv('OPENAI_BASE_URL', httpUrl()),
    models: fromEnv('OPENAI_MODELS', commaList()),
  }),
  anthropic: z.object({
    apiKey: fromEnv('ANTHROPIC_API_KEY', trimmed()),
    baseURL: fromEnv('ANTHROPIC_BASE_URL', httpUrl()),
    models: fromEnv('ANTHROPIC_MODELS', commaList()),
  }),
  openaiCompatible: z.object({
    baseURL: fromEnv('OPENAI_COMPATIBLE_BASE_URL', httpUrl()),
    apiKey: fromEnv('OPENAI_COMPATIBLE_API_KEY', trimmed()),
    models: fromEnv('OPENAI_COMPATIBLE_MODELS', commaList()),
    contextWindow: fromEnv('OPENAI_COMPATIBLE_CONTEXT_WINDOW', optionalWholeNumber(256)),
    maxOutputTokens: fromEnv('OPENAI_COMPATIBLE_MAX_OUTPUT_TOKENS', optionalWholeNumber(1)),
  }),
  defaultModel: fromEnv('DEFAULT_MODEL', trimmed()),
  file: fromEnv('MODELS_FILE', modelsFileFromPath),
});
type ModelSettings = z.infer<typeof modelSettings>;

// Each remote provider: where its settings sit in the schema, and which of them enables it.
const REMOTE_PROVIDERS = [
  { provider: 'openai', group: 'openai', enabledBy: 'apiKey' },
  { provider: 'anthropic', group: 'anthropic', enabledBy: 'apiKey' },
  { provider: 'openai-compatible', group: 'openaiCompatible', enabledBy: 'baseURL' },
] as const;
type RemoteProvider = (typeof REMOTE_PROVIDERS)[number];

/** The variable behind a setting, for problems that tell the operator which one to set. */
const variable = (...path: string[]) => variableAt(modelSettings, path)!;

/** Builds the catalogue once every variable has parsed; what does not fit together is a problem. */
function buildCatalogue(s: ModelSettings, ctx: z.RefinementCtx): ModelsConfig {
  const problem = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const line = (message: string) => ctx.addIssue({ code: 'custom', message, params: WHOLE_LINE });
  const enabled = (p: RemoteProvider) => Boolean((s[p.group] as Record<string, unknown>)[p.enabledBy]);
  const providers: ProviderSettings = { demo: s.demo };
  if (s.openai.apiKey) providers.openai = { apiKey: s.openai.apiKey, baseURL: s.openai.baseURL };
  if (s.anthropic.apiKey) providers.anthropic = { apiKey: s.anthropic.apiKey, baseURL: s.anthropic.baseURL };
  if (s.openaiCompatible.baseURL) providers.openaiCompatible = { baseURL: s.openaiCompatible.baseURL, apiKey: s.openaiCompatible.apiKey };

  const compatibleLimits = {
    contextWindow: s.openaiCompatible.contextWindow ?? GENERIC_LIMITS.contextWindow,
    maxOutputTokens: s.openaiCompatible.maxOutputTokens ?? GENERIC_LIMITS.maxOutputTokens,
  };
  const limitsOf = (provider: ProviderName) => (provider === 'openai-compatible' ? compatibleLimits : GENERIC_LIMITS);
  const models: ModelSpec[] = [DEMO_MODEL];
  for (const p of REMOTE_PROVIDERS) {
    const names = s[p.group].models;
    if (names.length && !enabled(p)) problem([p.group, 'models'], `set ${variable(p.group, p.enabledBy)} as well, or remove the list`);
    for (const id of names) {
      if (!MODEL_ID.test(id)) problem([p.group, 'models'], `"${id}" is not a valid model name`);
      else models.push(specFor(p.provider, { id }, limitsOf(p.provider)));
    }
  }

  let defaultModel = s.defaultModel;
  if (s.file) {
    for (const entry of s.file.models) {
      const p = REMOTE_PROVIDERS.find((r) => r.provider === entry.provider)!;
      if (!enabled(p)) line(`MODELS_FILE (${s.file.path}) model "${entry.id}": provider ${entry.provider} needs ${variable(p.group, p.enabledBy)}`);
      models.push(specFor(entry.provider, entry, limitsOf(entry.provider)));
    }
    defaultModel ??= s.file.default_model;
  }

  for (const p of REMOTE_PROVIDERS) {
    if (enabled(p) && !models.some((m) => m.provider === p.provider)) {
      problem([p.group, p.enabledBy], `set ${variable(p.group, 'models')} too (comma-separated model names), or list its models in MODELS_FILE`);
    }
  }
  const seen = new Set<string>();
  for (const m of models) {
    if (seen.has(m.id)) line(`model "${m.id}" is configured twice; model ids must be unique (give one an "id" in MODELS_FILE)`);
    seen.add(m.id);
    if (m.maxOutputTokens >= m.contextWindow)
      line(`model "${m.id}": max_output_tokens (${m.maxOutputTokens}) must be below context_window (${m.contextWindow})`);
  }
  if (defaultModel && !seen.has(defaultModel)) {
    problem(['defaultModel'], `"${defaultModel}" is not a configured model (configured: ${[...seen].join(', ')})`);
  }
  return { models, defaultModel, providers };
}

/** The catalogue and provider credentials: Config.models. */
export const modelsFromEnv = modelSettings.transform(buildCatalogue);
