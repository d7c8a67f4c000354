// Builds the model catalogue from the operator's environment (config.ts passes it in): provider
// keys with comma-separated model lists, and/or a MODELS_FILE with full entries. Every problem is
// reported with the variable it comes from; the built-in demo model is always first.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { GENERIC_LIMITS, KNOWN_MODELS } from './models.known.js';
import { DEMO_MODEL, type ModelSpec, type ModelsConfig, type ProviderName, type ProviderSettings } from './models.types.js';
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

function listFromEnv(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function httpUrl(env: NodeJS.ProcessEnv, name: string, problems: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!/^https?:\/\/[^\s]+$/.test(raw)) {
    problems.push(`${name}: must be an http:// or https:// URL, got "${raw}"`);
    return undefined;
  }
  return raw.replace(/\/+$/, '');
}

function intFrom(env: NodeJS.ProcessEnv, name: string, min: number, problems: string[]): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) {
    problems.push(`${name}: must be a whole number >= ${min}, got "${raw}"`);
    return undefined;
  }
  return n;
}

export function readModelsConfig(env: NodeJS.ProcessEnv, problems: string[]): ModelsConfig {
  const providers: ProviderSettings = { demo: { tokenDelayMs: intFrom(env, 'DEMO_TOKEN_DELAY_MS', 0, problems) ?? 15 } };
  const openaiKey = env.OPENAI_API_KEY?.trim();
  const anthropicKey = env.ANTHROPIC_API_KEY?.trim();
  const openaiUrl = httpUrl(env, 'OPENAI_BASE_URL', problems);
  const anthropicUrl = httpUrl(env, 'ANTHROPIC_BASE_URL', problems);
  const compatibleUrl = httpUrl(env, 'OPENAI_COMPATIBLE_BASE_URL', problems);
  const compatibleKey = env.OPENAI_COMPATIBLE_API_KEY?.trim() || undefined;
  if (openaiKey) providers.openai = { apiKey: openaiKey, baseURL: openaiUrl };
  if (anthropicKey) providers.anthropic = { apiKey: anthropicKey, baseURL: anthropicUrl };
  if (compatibleUrl) providers.openaiCompatible = { baseURL: compatibleUrl, apiKey: compatibleKey };

  const compatibleLimits = {
    contextWindow: intFrom(env, 'OPENAI_COMPATIBLE_CONTEXT_WINDOW', 256, problems) ?? GENERIC_LIMITS.contextWindow,
    maxOutputTokens: intFrom(env, 'OPENAI_COMPATIBLE_MAX_OUTPUT_TOKENS', 1, problems) ?? GENERIC_LIMITS.maxOutputTokens,
  };
  const models: ModelSpec[] = [DEMO_MODEL];
  const fromEnv: [string, ProviderName, boolean, string][] = [
    ['OPENAI_MODELS', 'openai', Boolean(openaiKey), 'OPENAI_API_KEY'],
    ['ANTHROPIC_MODELS', 'anthropic', Boolean(anthropicKey), 'ANTHROPIC_API_KEY'],
    ['OPENAI_COMPATIBLE_MODELS', 'openai-compatible', Boolean(compatibleUrl), 'OPENAI_COMPATIBLE_BASE_URL'],
  ];
  for (const [listVar, provider, configured, needs] of fromEnv) {
    const names = listFromEnv(env, listVar);
    if (names.length && !configured) problems.push(`${listVar}: set ${needs} as well, or remove the list`);
    for (const id of names) {
      if (!MODEL_ID.test(id)) problems.push(`${listVar}: "${id}" is not a valid model name`);
      else models.push(specFor(provider, { id }, provider === 'openai-compatible' ? compatibleLimits : GENERIC_LIMITS));
    }
  }

  let defaultModel = env.DEFAULT_MODEL?.trim() || undefined;
  const file = env.MODELS_FILE?.trim();
  if (file) {
    const before = problems.length;
    let parsed: z.infer<typeof modelsFile> | undefined;
    try {
      const result = modelsFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (result.success) parsed = result.data;
      else for (const i of result.error.issues) problems.push(`MODELS_FILE (${file}) ${i.path.join('.')}: ${i.message}`);
    } catch (err) {
      problems.push(`MODELS_FILE: cannot read "${file}" as JSON (${(err as Error).message})`);
    }
    for (const entry of parsed?.models ?? []) {
      const needs = { openai: [providers.openai, 'OPENAI_API_KEY'], anthropic: [providers.anthropic, 'ANTHROPIC_API_KEY'], 'openai-compatible': [providers.openaiCompatible, 'OPENAI_COMPATIBLE_BASE_URL'] } as const;
      const [settings, variable] = needs[entry.provider];
      if (!settings) problems.push(`MODELS_FILE (${file}) model "${entry.id}": provider ${entry.provider} needs ${variable}`);
      models.push(specFor(entry.provider, entry, entry.provider === 'openai-compatible' ? compatibleLimits : GENERIC_LIMITS));
    }
    if (problems.length === before) defaultModel ??= parsed?.default_model;
  }

  for (const [listVar, provider, configured, needs] of fromEnv) {
    if (configured && !models.some((m) => m.provider === provider)) {
      problems.push(`${needs}: set ${listVar} too (comma-separated model names), or list its models in MODELS_FILE`);
    }
  }
  const seen = new Set<string>();
  for (const m of models) {
    if (seen.has(m.id)) problems.push(`model "${m.id}" is configured twice; model ids must be unique (give one an "id" in MODELS_FILE)`);
    seen.add(m.id);
    if (m.maxOutputTokens >= m.contextWindow) problems.push(`model "${m.id}": max_output_tokens (${m.maxOutputTokens}) must be below context_window (${m.contextWindow})`);
  }
  if (defaultModel && !seen.has(defaultModel)) {
    problems.push(`DEFAULT_MODEL: "${defaultModel}" is not a configured model (configured: ${[...seen].join(', ')})`);
  }
  return { models, defaultModel, providers };
}
