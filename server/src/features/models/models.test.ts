import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { authHeader, buildTestApp, createUser, type TestApp } from '../../../test/test-app.js';
import { ConfigError, loadConfig } from '../../config.js';
import { usdToMicroUsd } from './prices.js';

function modelsFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'models-')), 'models.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** The model catalogue that the settings give (the rest of the settings at their defaults). */
function readModelsConfig(env: Record<string, string>, problems: string[]) {
  try {
    return loadConfig(env).models;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
    return { models: [], defaultModel: undefined, providers: { demo: { tokenDelayMs: 0 } } };
  }
}

function problemsOf(env: Record<string, string>): string[] {
  const problems: string[] = [];
  readModelsConfig(env, problems);
  return problems;
}

describe('the model catalogue configuration', () => {
  it('has only the demo model when nothing is configured', () => {
    const { models, defaultModel } = readModelsConfig({}, []);
    expect(models.map((m) => [m.id, m.label, m.provider])).toEqual([['demo', 'Demo (offline)', 'demo']]);
    expect(defaultModel).toBeUndefined();
  });

  it('reads provider model lists, with known limits and exact prices', () => {
    const problems: string[] = [];
    const config = readModelsConfig(
      {
        OPENAI_API_KEY: 'sk-1',
        OPENAI_MODELS: 'gpt-4o-mini, my-finetune',
        OPENAI_COMPATIBLE_BASE_URL: 'http://localhost:11434/v1/',
        OPENAI_COMPATIBLE_MODELS: 'llama3.1',
        OPENAI_COMPATIBLE_CONTEXT_WINDOW: '32768',
      },
      problems,
    );
    expect(problems).toEqual([]);
    expect(config.models.find((m) => m.id === 'gpt-4o-mini')).toEqual({
      id: 'gpt-4o-mini',
      label: 'GPT-4o mini',
      provider: 'openai',
      providerModel: 'gpt-4o-mini',
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      inputMicroUsdPerMillion: 150_000,
      outputMicroUsdPerMillion: 600_000,
    });
    expect(config.models.find((m) => m.id === 'my-finetune')).toMatchObject({ contextWindow: 8192, maxOutputTokens: 2048, inputMicroUsdPerMillion: 0 });
    expect(config.models.find((m) => m.id === 'llama3.1')).toMatchObject({ provider: 'openai-compatible', contextWindow: 32_768 });
    expect(config.providers.openaiCompatible).toEqual({ baseURL: 'http://localhost:11434/v1', apiKey: undefined });
  });

  it('reads full entries from MODELS_FILE, prices as exact integers of micro-dollars', () => {
    const file = modelsFile({
      default_model: 'sonnet',
      models: [
        {
          id: 'sonnet',
          label: 'Sonnet',
          provider: 'anthropic',
          provider_model: 'claude-sonnet-4-5',
          input_price_per_million_usd: '3.0',
          output_price_per_million_usd: 15.000001,
          max_output_tokens: 8000,
        },
      ],
    });
    const problems: string[] = [];
    const config = readModelsConfig({ MODELS_FILE: file, ANTHROPIC_API_KEY: 'sk-ant' }, problems);
    expect(problems).toEqual([]);
    expect(config.defaultModel).toBe('sonnet');
    expect(config.models[1]).toEqual({
      id: 'sonnet',
      label: 'Sonnet',
      provider: 'anthropic',
      providerModel: 'claude-sonnet-4-5',
      contextWindow: 200_000,
      maxOutputTokens: 8000,
      inputMicroUsdPerMillion: 3_000_000,
      outputMicroUsdPerMillion: 15_000_001,
    });
  });

  it('names every problem with the variable it comes from', () => {
    expect(problemsOf({ OPENAI_MODELS: 'gpt-4o' })).toEqual(['OPENAI_MODELS: set OPENAI_API_KEY as well, or remove the list']);
    expect(problemsOf({ ANTHROPIC_API_KEY: 'k' })).toEqual([
      'ANTHROPIC_API_KEY: set ANTHROPIC_MODELS too (comma-separated model names), or list its models in MODELS_FILE',
    ]);
    expect(problemsOf({ OPENAI_COMPATIBLE_BASE_URL: 'localhost:11434' })[0]).toMatch(/^OPENAI_COMPATIBLE_BASE_URL: must be an http/);
    expect(problemsOf({ DEFAULT_MODEL: 'gpt-5' })).toEqual(['DEFAULT_MODEL: "gpt-5" is not a configured model (configured: demo)']);
    expect(problemsOf({ DEMO_TOKEN_DELAY_MS: '-1' })).toEqual(['DEMO_TOKEN_DELAY_MS: must be a whole number >= 0, got "-1"']);
    expect(problemsOf({ OPENAI_API_KEY: 'k', OPENAI_MODELS: 'demo' })[0]).toMatch(/model "demo" is configured twice/);
    expect(problemsOf({ MODELS_FILE: '/no/such/file.json' })[0]).toMatch(/^MODELS_FILE: cannot read "\/no\/such\/file.json"/);
    const file = modelsFile({ models: [{ id: 'x', provider: 'openai', input_price_per_million_usd: '0.1234567', extra: 1 }] });
    const problems = problemsOf({ MODELS_FILE: file });
    expect(problems.some((p) => p.includes('models.0.input_price_per_million_usd') && p.includes('at most 6 decimals'))).toBe(true);
    expect(problems.some((p) => p.includes('Unrecognized key') || p.includes('extra'))).toBe(true);
    const needsKey = problemsOf({ MODELS_FILE: modelsFile({ models: [{ id: 'x', provider: 'openai' }] }) });
    expect(needsKey).toEqual([`MODELS_FILE (${needsKey[0]!.slice(13, needsKey[0]!.indexOf(')'))}) model "x": provider openai needs OPENAI_API_KEY`]);
  });

  it('stops start-up through loadConfig with the list of problems', () => {
    expect(() => loadConfig({ OPENAI_MODELS: 'gpt-4o', UPSTREAM_IDLE_TIMEOUT_MS: '5' })).toThrow(ConfigError);
    try {
      loadConfig({ OPENAI_MODELS: 'gpt-4o', UPSTREAM_IDLE_TIMEOUT_MS: '5' });
    } catch (err) {
      expect((err as ConfigError).problems).toEqual(
        expect.arrayContaining([
          'UPSTREAM_IDLE_TIMEOUT_MS: must be a whole number >= 100, got "5"',
          'OPENAI_MODELS: set OPENAI_API_KEY as well, or remove the list',
        ]),
      );
    }
  });

  it('converts decimal prices without floating-point drift', () => {
    expect(usdToMicroUsd('0.15')).toBe(150_000);
    expect(usdToMicroUsd(0.3)).toBe(300_000);
    expect(usdToMicroUsd('2.5')).toBe(2_500_000);
    expect(usdToMicroUsd('75')).toBe(75_000_000);
    expect(usdToMicroUsd('0.000001')).toBe(1);
    for (const bad of ['-1', '1e-7', '0.0000001', 'abc', '', '1.2.3']) expect(usdToMicroUsd(bad), bad).toBeUndefined();
  });
});

describe.each(testDbKinds())('GET /api/models on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind, {
      env: {
        OPENAI_API_KEY: 'sk-secret-key',
        OPENAI_BASE_URL: 'http://internal-proxy:8080/v1',
        OPENAI_MODELS: 'gpt-4o-mini,gpt-4o',
        DEFAULT_MODEL: 'gpt-4o-mini',
      },
    });
  });
  afterAll(() => t.close());

  it('lists only what the free plan may use, with demo as its default', async () => {
    const user = await createUser(t.app);
    const res = await t.app.inject({ method: 'GET', url: '/api/models', headers: authHeader(user) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      models: [
        {
          id: 'demo',
          label: 'Demo (offline)',
          provider: 'demo',
          context_window: 16_384,
          max_output_tokens: 2048,
          input_price_per_million_usd: 0,
          output_price_per_million_usd: 0,
          input_price_per_million_micro_usd: 0,
          output_price_per_million_micro_usd: 0,
          tiers: ['free', 'starter', 'builder', 'advanced'],
        },
      ],
      default_model: 'demo',
      // The paid models, for comparing: each with the plans that include it.
      other_models: [
        expect.objectContaining({ id: 'gpt-4o-mini', context_window: 128_000, input_price_per_million_usd: 0.15, tiers: ['starter', 'builder', 'advanced'] }),
        expect.objectContaining({ id: 'gpt-4o', tiers: ['starter', 'builder', 'advanced'] }),
      ],
    });
    expect(res.body).not.toMatch(/sk-secret-key|internal-proxy/);
  });

  it('lists every model for a paid plan, with the operator default, and no secrets', async () => {
    const user = await createUser(t.app);
    await t.services.users.updateUser(user.id, { tier: 'starter' });
    const res = await t.app.inject({ method: 'GET', url: '/api/models', headers: authHeader(user) });
    const body = res.json();
    expect(body.models.map((m: { id: string }) => m.id)).toEqual(['demo', 'gpt-4o-mini', 'gpt-4o']);
    expect(body.default_model).toBe('gpt-4o-mini');
    expect(body.other_models).toEqual([]);
    expect(body.models[1]).toMatchObject({
      provider: 'openai',
      input_price_per_million_usd: 0.15,
      output_price_per_million_usd: 0.6,
      input_price_per_million_micro_usd: 150_000,
    });
    expect(res.body).not.toMatch(/sk-secret-key|internal-proxy/);
  });

  it('answers 401 without a token', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/models' })).statusCode).toBe(401);
  });
});

describe.each(testDbKinds())('GET /api/models with the tiers set by the operator on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind, {
      env: {
        OPENAI_API_KEY: 'sk-test',
        OPENAI_MODELS: 'gpt-4o-mini,gpt-4o',
        // modelsFile writes any JSON: here a TIER_LIMITS_FILE.
        TIER_LIMITS_FILE: modelsFile({ starter: { models: ['demo', 'gpt-4o-mini'] }, builder: { models: ['gpt-4o-mini', 'gpt-4o'] } }),
      },
    });
  });
  afterAll(() => t.close());

  it('names, for each model, exactly the plans whose list includes it', async () => {
    const user = await createUser(t.app);
    await t.services.users.updateUser(user.id, { tier: 'starter' });
    const body = (await t.app.inject({ method: 'GET', url: '/api/models', headers: authHeader(user) })).json();
    const tiersOf = (list: { id: string; tiers: string[] }[]) => Object.fromEntries(list.map((m) => [m.id, m.tiers]));
    expect(tiersOf(body.models)).toEqual({ demo: ['free', 'starter', 'advanced'], 'gpt-4o-mini': ['starter', 'builder', 'advanced'] });
    expect(tiersOf(body.other_models)).toEqual({ 'gpt-4o': ['builder', 'advanced'] });
  });
});
