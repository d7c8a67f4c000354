import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { REPO_ROOT } from '../../../test/spawn-server.js';
import { authHeader, buildTestApp, createUser, type TestApp } from '../../../test/test-app.js';
import { DEFAULT_TIER_LIMITS, getTierLimits, isTier, mergeTierLimits, TIER_NAMES, tierAllowsModel, tierOverridesSchema, validateTier } from './tiers.js';

describe('the default tiers', () => {
  it('are free, starter, builder and advanced, in that order', () => {
    expect(TIER_NAMES).toEqual(['free', 'starter', 'builder', 'advanced']);
    expect(Object.keys(DEFAULT_TIER_LIMITS)).toEqual([...TIER_NAMES]);
  });

  it('grow in tokens and requests per minute from one tier to the next', () => {
    for (let i = 1; i < TIER_NAMES.length; i++) {
      const lower = DEFAULT_TIER_LIMITS[TIER_NAMES[i - 1]!];
      const higher = DEFAULT_TIER_LIMITS[TIER_NAMES[i]!];
      expect(higher.monthlyTokens).toBeGreaterThan(lower.monthlyTokens);
      expect(higher.requestsPerMinute).toBeGreaterThan(lower.requestsPerMinute);
    }
  });

  it('are the ones the README documents', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const rows = Object.fromEntries(
      [...readme.matchAll(/^\| (free|starter|builder|advanced) +\| +([\d,]+) +\| +(\d+) +\| +(.+?) +\|$/gm)].map((m) => [
        m[1],
        {
          monthlyTokens: Number(m[2]!.replaceAll(',', '')),
          requestsPerMinute: Number(m[3]),
          models: m[4] === 'all' ? ['*'] : m[4]!.split(',').map((s) => s.trim().replaceAll('`', '')),
        },
      ]),
    );
    expect(rows).toEqual(DEFAULT_TIER_LIMITS);
  });
});

describe('validateTier', () => {
  it('returns a known tier name', () => {
    for (const tier of TIER_NAMES) expect(validateTier(tier)).toBe(tier);
  });

  it.each([['platinum'], ['FREE'], [''], [undefined], [null], [3]])('throws for %j, listing the valid tiers', (value) => {
    expect(() => validateTier(value)).toThrow(/expected one of free, starter, builder, advanced/);
  });

  it('is mirrored by isTier', () => {
    expect(isTier('builder')).toBe(true);
    expect(isTier('gold')).toBe(false);
  });
});

describe('getTierLimits', () => {
  it('returns the limits of a tier from the table it is given', () => {
    expect(getTierLimits(DEFAULT_TIER_LIMITS, 'free')).toEqual({ monthlyTokens: 100_000, requestsPerMinute: 10, models: ['demo'] });
    const table = mergeTierLimits(DEFAULT_TIER_LIMITS, { starter: { monthlyTokens: 7 } });
    expect(getTierLimits(table, 'starter').monthlyTokens).toBe(7);
  });

  it('throws for an unknown tier instead of returning undefined', () => {
    expect(() => getTierLimits(DEFAULT_TIER_LIMITS, 'platinum' as never)).toThrow(/unknown tier "platinum"/);
  });
});

describe('tierAllowsModel', () => {
  it('lets free use only the demo model', () => {
    expect(tierAllowsModel(DEFAULT_TIER_LIMITS.free, 'demo')).toBe(true);
    expect(tierAllowsModel(DEFAULT_TIER_LIMITS.free, 'gpt-4o')).toBe(false);
  });

  it('lets a tier with "*" use every model', () => {
    for (const tier of ['starter', 'builder', 'advanced'] as const) {
      expect(tierAllowsModel(DEFAULT_TIER_LIMITS[tier], 'claude-sonnet-4')).toBe(true);
    }
  });

  it('matches model ids exactly', () => {
    const limits = { monthlyTokens: 1, requestsPerMinute: 1, models: ['gpt-4o-mini'] };
    expect(tierAllowsModel(limits, 'gpt-4o-mini')).toBe(true);
    expect(tierAllowsModel(limits, 'gpt-4o')).toBe(false);
    expect(tierAllowsModel(limits, 'GPT-4O-MINI')).toBe(false);
  });
});

describe('mergeTierLimits', () => {
  it('layers file overrides, then per-value overrides, over the base', () => {
    const merged = mergeTierLimits(
      DEFAULT_TIER_LIMITS,
      { free: { monthlyTokens: 50_000, requestsPerMinute: 5 }, builder: { models: ['demo'] } },
      { free: { monthlyTokens: 70_000 } },
    );
    expect(merged.free).toEqual({ monthlyTokens: 70_000, requestsPerMinute: 5, models: ['demo'] });
    expect(merged.builder).toEqual({ ...DEFAULT_TIER_LIMITS.builder, models: ['demo'] });
    expect(merged.starter).toEqual(DEFAULT_TIER_LIMITS.starter);
    expect(merged.advanced).toEqual(DEFAULT_TIER_LIMITS.advanced);
  });

  it('returns the base unchanged with no overrides, and never modifies it', () => {
    const before = structuredClone(DEFAULT_TIER_LIMITS);
    expect(mergeTierLimits(DEFAULT_TIER_LIMITS)).toEqual(before);
    const merged = mergeTierLimits(DEFAULT_TIER_LIMITS, { free: { monthlyTokens: 1 } }, { starter: { requestsPerMinute: 1 } });
    merged.advanced.monthlyTokens = 0;
    merged.free.models.push('gpt-4o');
    expect(DEFAULT_TIER_LIMITS).toEqual(before);
  });
});

describe('tierOverridesSchema (the shape of TIER_LIMITS_FILE)', () => {
  it('accepts any subset of tiers and fields', () => {
    expect(tierOverridesSchema.safeParse({}).success).toBe(true);
    expect(tierOverridesSchema.safeParse({ free: { monthlyTokens: 0 } }).success).toBe(true);
    expect(tierOverridesSchema.safeParse({ advanced: { models: ['*'], requestsPerMinute: 1000 } }).success).toBe(true);
  });

  it.each([
    ['an unknown tier', { gold: {} }],
    ['an unknown field', { free: { tokens: 5 } }],
    ['negative tokens', { free: { monthlyTokens: -1 } }],
    ['fractional tokens', { free: { monthlyTokens: 1.5 } }],
    ['zero requests per minute', { starter: { requestsPerMinute: 0 } }],
    ['an empty model list', { builder: { models: [] } }],
    ['an empty model id', { builder: { models: [''] } }],
  ])('refuses %s', (_what, value) => {
    expect(tierOverridesSchema.safeParse(value).success).toBe(false);
  });
});

describe.each(testDbKinds())('new accounts on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(() => t.close());

  it('start on free, through the API', async () => {
    const user = await createUser(t.app);
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: authHeader(user) });
    expect(me.json()).toMatchObject({ tier: 'free', tier_updated_at: null });
  });

  it('start on free in the database, whatever code inserts them', async () => {
    const { rows } = await t.db.query<{ tier: string }>("INSERT INTO users (email, password_hash) VALUES ('raw-insert@example.com', 'x') RETURNING tier");
    expect(rows[0]!.tier).toBe('free');
  });

  it('cannot be put on a tier that does not exist', async () => {
    await expect(t.db.query("INSERT INTO users (email, password_hash, tier) VALUES ('gold@example.com', 'x', 'gold')")).rejects.toThrow(/check constraint/);
  });
});
