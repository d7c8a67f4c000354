import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { testUsageService } from '../../../test/usage-service.js';
import { AppError } from '../../lib/errors.js';
import type { Charge } from '../../lib/model-calls/usage-meter.js';
import { DEFAULT_TIER_LIMITS, mergeTierLimits } from '../../lib/tiers/tiers.js';
import { openPostgres } from '../../platform/db/postgres.js';
import { promptReservation, type UsageServiceDeps } from './usage.service.js';

const tiers = mergeTierLimits(DEFAULT_TIER_LIMITS, {
  free: { monthlyTokens: 10_000, requestsPerMinute: 1000 },
  starter: { monthlyTokens: 50_000, requestsPerMinute: 1000 },
});
const free = { inputMicroUsdPerMillion: 0, outputMicroUsdPerMillion: 0 };
const pricingOf: UsageServiceDeps['pricingOf'] = (model) =>
  model === 'priced'
    ? { provider: 'openai', inputMicroUsdPerMillion: 150_000, outputMicroUsdPerMillion: 600_000 }
    : model === 'claude'
      ? { provider: 'anthropic', ...free }
      : model === 'local'
        ? { provider: 'openai-compatible', ...free }
        : { provider: 'demo', ...free };

describe.each(testDbKinds())('usage metering on %s', (kind) => {
  let t: TestDatabase;
  let clock = new Date('2026-11-15T12:00:00Z');
  const now = () => clock;
  const service = (db = t.db, extra: Partial<UsageServiceDeps> = {}) => testUsageService(db, { tiers, now, pricingOf, ...extra });

  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(() => t.drop());

  async function newUser(tier = 'free', cap: number | null = null) {
    const { rows } = await t.db.query<{ id: string }>(
      'INSERT INTO users (email, password_hash, tier, monthly_token_cap) VALUES ($1, $2, $3, $4) RETURNING id',
      [`${randomUUID()}@example.com`, 'x', tier, cap],
    );
    return rows[0]!.id;
  }
  async function month(userId: string, m = '2026-11') {
    const { rows } = await t.db.query<{ total_tokens: number; reserved_tokens: number; request_count: number; cost_nanousd: string }>(
      'SELECT total_tokens, reserved_tokens, request_count, cost_nanousd::text AS cost_nanousd FROM monthly_usage WHERE user_id = $1 AND month = $2',
      [userId, m],
    );
    return rows[0];
  }
  async function recordsSum(userId: string) {
    const { rows } = await t.db.query<{ n: number; total: number }>(
      'SELECT count(*)::int AS n, COALESCE(sum(total_tokens), 0)::int AS total FROM usage_records WHERE user_id = $1',
      [userId],
    );
    return rows[0]!;
  }
  const settleArgs = (userId: string, requestId: string, inputTokens: number, outputTokens: number) => ({
    requestId,
    userId,
    model: 'demo',
    inputTokens,
    outputTokens,
    source: 'provider' as const,
    outcome: 'complete' as const,
  });

  it('reserves prompt plus output cap, then settles the real count and releases the rest', async () => {
    const userId = await newUser();
    const usage = service();
    const requestId = randomUUID();
    const r = await usage.reserve({ user: { id: userId }, requestId, model: 'demo', promptTokens: 100, maxOutputTokens: 500 });
    expect(r.maxOutputTokens).toBe(500);
    expect((await month(userId))!.reserved_tokens).toBe(promptReservation(100) + 500);
    await usage.settle(settleArgs(userId, requestId, 100, 42));
    expect(await month(userId)).toMatchObject({ total_tokens: 142, reserved_tokens: 0, request_count: 1 });
    expect(await recordsSum(userId)).toEqual({ n: 1, total: 142 });
  });

  it('reserves a wider prompt margin for providers whose tokenizers count higher than ours', async () => {
    const userId = await newUser();
    const usage = service();
    const reserved = async (model: string) => {
      const requestId = randomUUID();
      const r = await usage.reserve({ user: { id: userId }, requestId, model, promptTokens: 1000, maxOutputTokens: 10 });
      await usage.release({ requestId });
      return r.reservedTokens - 10;
    };
    expect(await reserved('demo')).toBe(1116);
    expect(await reserved('claude')).toBe(1416);
    expect(await reserved('local')).toBe(1516); // unknown vocabulary: the widest margin
  });

  it('lowers the output cap to what remains', async () => {
    const userId = await newUser();
    const usage = service();
    const first = randomUUID();
    await usage.reserve({ user: { id: userId }, requestId: first, model: 'demo', promptTokens: 10, maxOutputTokens: 10 });
    await usage.settle(settleArgs(userId, first, 10, 9_000 - 10));
    const r = await usage.reserve({ user: { id: userId }, requestId: randomUUID(), model: 'demo', promptTokens: 100, maxOutputTokens: 4096 });
    expect(r.maxOutputTokens).toBe(10_000 - 9_000 - promptReservation(100));
  });

  it('refuses with QUOTA_EXCEEDED, the numbers and the reset time when not even the prompt fits', async () => {
    const userId = await newUser();
    const usage = service();
    const id = randomUUID();
    await usage.reserve({ user: { id: userId }, requestId: id, model: 'demo', promptTokens: 10, maxOutputTokens: 10 });
    await usage.settle(settleArgs(userId, id, 5_000, 4_950));
    const err = await usage
      .reserve({ user: { id: userId }, requestId: randomUUID(), model: 'demo', promptTokens: 100, maxOutputTokens: 100 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      status: 429,
      extra: { limit: 10_000, level: 'tier', used: 9_950, reserved: 0, remaining: 50, resets_at: '2026-12-01T00:00:00.000Z' },
    });
    expect((await month(userId))!.reserved_tokens).toBe(0);
  });

  it("blames the user's own cap, not the tier, when the cap is what ran out", async () => {
    const capped = await newUser('free', 100);
    const atTier = await newUser('free', 10_000); // a cap equal to the tier's allowance binds nothing
    const usage = service();
    const err = await usage
      .reserve({ user: { id: capped }, requestId: randomUUID(), model: 'demo', promptTokens: 200, maxOutputTokens: 10 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED', extra: { limit: 100, level: 'personal_cap', remaining: 100 } });
    expect((err as AppError).message).toContain('your own monthly cap of 100 tokens');
    const tierErr = await usage
      .reserve({ user: { id: atTier }, requestId: randomUUID(), model: 'demo', promptTokens: 20_000, maxOutputTokens: 10 })
      .catch((e: unknown) => e);
    expect(tierErr).toMatchObject({ code: 'QUOTA_EXCEEDED', extra: { limit: 10_000, level: 'tier' } });
    expect(usage.limitsFor({ tier: 'free', monthly_token_cap: 9_999 })).toMatchObject({ limit: 9_999, level: 'personal_cap' });
    expect(usage.limitsFor({ tier: 'free', monthly_token_cap: null })).toMatchObject({ limit: 10_000, level: 'tier' });
  });

  it('counts a settle twice as once (retry with the same request id)', async () => {
    const userId = await newUser();
    const usage = service();
    const requestId = randomUUID();
    await usage.reserve({ user: { id: userId }, requestId, model: 'priced', promptTokens: 10, maxOutputTokens: 100 });
    const a = await usage.settle({ ...settleArgs(userId, requestId, 10, 20), model: 'priced' });
    const b = await usage.settle({ ...settleArgs(userId, requestId, 10, 20), model: 'priced' });
    expect([a.recorded, b.recorded]).toEqual([true, false]);
    expect(await month(userId)).toMatchObject({ total_tokens: 30, request_count: 1, cost_nanousd: String(10 * 150 + 20 * 600) });
  });

  /** The test database, with every statement's text kept (a batch that fell back to one by one shows as more statements). */
  function countingDb() {
    const queries: string[] = [];
    const counted = Object.create(t.db, {
      query: { value: (text: string, params?: unknown[]) => (queries.push(text), t.db.query(text, params)) },
    }) as typeof t.db;
    return { queries, counted };
  }
  /** Reserves a call of 10 prompt tokens and up to 100 out; answers its request id. */
  async function reserveCall(usage: ReturnType<typeof service>, userId: string, model: string, charge?: Charge) {
    const requestId = randomUUID();
    await usage.reserve({ user: { id: userId }, requestId, model, promptTokens: 10, maxOutputTokens: 100, charge });
    return requestId;
  }
  const settlements = (queries: string[]) => queries.filter((q) => q.includes('jsonb_to_recordset')).length;

  it('settles the calls that end together in one statement, each exactly as alone', async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const key = { id: randomUUID(), monthly_token_cap: 5_000 };
    const { queries, counted } = countingDb();
    const usage = service(counted);
    const reserve = (userId: string, charge?: Charge) => reserveCall(usage, userId, 'priced', charge);
    const [a1, a2, a3, b1] = [await reserve(alice), await reserve(alice, { key }), await reserve(alice, { key }), await reserve(bob)];
    const settle = (userId: string, requestId: string, output: number, keyId: string | null = null) =>
      usage.settle({ ...settleArgs(userId, requestId, 10, output), model: 'priced', keyId });
    queries.length = 0;
    const outcomes = await Promise.all([
      settle(alice, a1, 1),
      settle(alice, a2, 2, key.id),
      settle(alice, a3, 3, key.id),
      settle(bob, b1, 4),
      settle(alice, a3, 3, key.id), // the same call twice in one batch counts once
      settle(bob, randomUUID(), 5), // no reservation (the reaper's, say): recorded all the same
    ]);
    expect(outcomes.map((o) => o.recorded)).toEqual([true, true, true, true, false, true]);
    // The first goes alone; the rest, arrived meanwhile, go together.
    expect(settlements(queries)).toBe(2);
    expect(await month(alice)).toMatchObject({ total_tokens: 36, reserved_tokens: 0, request_count: 3, cost_nanousd: String(3 * 10 * 150 + 6 * 600) });
    expect(await month(bob)).toMatchObject({ total_tokens: 29, reserved_tokens: 0, request_count: 2 });
    const { rows } = await t.db.query<{ total_tokens: number; reserved_tokens: number; request_count: number }>(
      'SELECT total_tokens::int, reserved_tokens::int, request_count FROM key_monthly_usage WHERE key_id = $1',
      [key.id],
    );
    expect(rows).toEqual([{ total_tokens: 25, reserved_tokens: 0, request_count: 2 }]);
    expect(await recordsSum(alice)).toEqual({ n: 3, total: 36 });
  });

  it("moves a team's pool and each member's share once per batch, by the sums of the calls charged to them", async () => {
    const [ann, ben] = [await newUser(), await newUser()];
    const team = { id: randomUUID(), tier: 'starter' as const, member_cap: null };
    const { queries, counted } = countingDb();
    const usage = service(counted);
    const reserve = (userId: string, charge?: Charge) => reserveCall(usage, userId, 'demo', charge);
    // The first goes alone; the three team calls, arrived meanwhile, go together (two of them Ann's).
    const calls = [
      { userId: ann, requestId: await reserve(ann), output: 4, teamId: null },
      { userId: ann, requestId: await reserve(ann, { team }), output: 1, teamId: team.id },
      { userId: ann, requestId: await reserve(ann, { team }), output: 2, teamId: team.id },
      { userId: ben, requestId: await reserve(ben, { team }), output: 3, teamId: team.id },
    ];
    queries.length = 0;
    await Promise.all(calls.map((c) => usage.settle({ ...settleArgs(c.userId, c.requestId, 10, c.output), teamId: c.teamId })));
    expect(settlements(queries)).toBe(2);
    const { rows: pool } = await t.db.query<{ total_tokens: number; reserved_tokens: number; request_count: number }>(
      'SELECT total_tokens::int, reserved_tokens::int, request_count FROM team_monthly_usage WHERE team_id = $1',
      [team.id],
    );
    expect(pool).toEqual([{ total_tokens: 36, reserved_tokens: 0, request_count: 3 }]);
    const { rows: shares } = await t.db.query<{ user_id: string; total_tokens: number; reserved_tokens: number }>(
      'SELECT user_id, total_tokens::int, reserved_tokens::int FROM team_member_monthly_usage WHERE team_id = $1 ORDER BY total_tokens',
      [team.id],
    );
    expect(shares).toEqual([
      { user_id: ben, total_tokens: 13, reserved_tokens: 0 },
      { user_id: ann, total_tokens: 23, reserved_tokens: 0 },
    ]);
    // A team's calls are not the member's personal month: only the personal call is there.
    expect(await month(ann)).toMatchObject({ total_tokens: 14, reserved_tokens: 0, request_count: 1 });
  });

  it("keeps one call's failed settlement its own when it ends together with others", async () => {
    const [alice, gone] = [await newUser(), await newUser()];
    const usage = service();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const requestId of ids) await usage.reserve({ user: { id: alice }, requestId, model: 'demo', promptTokens: 10, maxOutputTokens: 10 });
    await t.db.query('DELETE FROM users WHERE id = $1', [gone]);
    const outcomes = await Promise.allSettled([
      usage.settle(settleArgs(alice, ids[0]!, 10, 1)),
      usage.settle(settleArgs(alice, ids[1]!, 10, 2)),
      usage.settle(settleArgs(gone, randomUUID(), 10, 3)), // its user deleted meanwhile: no record can name it
      usage.settle(settleArgs(alice, ids[2]!, 10, 4)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(await month(alice)).toMatchObject({ total_tokens: 37, reserved_tokens: 0, request_count: 3 });
  });

  it('keeps usage records immutable and untouched when a conversation id they name disappears', async () => {
    const userId = await newUser();
    const usage = service();
    const requestId = randomUUID();
    await usage.reserve({ user: { id: userId }, requestId, model: 'demo', promptTokens: 1, maxOutputTokens: 1 });
    await usage.settle({ ...settleArgs(userId, requestId, 1, 1), conversationId: randomUUID() });
    await expect(t.db.query('UPDATE usage_records SET total_tokens = 0 WHERE user_id = $1', [userId])).rejects.toThrow(/immutable/);
    expect(await recordsSum(userId)).toEqual({ n: 1, total: 2 });
  });

  it('gives a released reservation back without a record', async () => {
    const userId = await newUser();
    const usage = service();
    const requestId = randomUUID();
    await usage.reserve({ user: { id: userId }, requestId, model: 'demo', promptTokens: 100, maxOutputTokens: 100 });
    await usage.release({ requestId });
    expect((await month(userId))!.reserved_tokens).toBe(0);
    expect((await recordsSum(userId)).n).toBe(0);
  });

  it('reaps a reservation abandoned by a dead process: recorded once as failed, reservation freed', async () => {
    const userId = await newUser();
    const usage = service();
    const requestId = randomUUID();
    await usage.reserve({ user: { id: userId }, requestId, model: 'demo', promptTokens: 100, maxOutputTokens: 1000 });
    await usage.reapExpired();
    expect((await month(userId))!.reserved_tokens).toBeGreaterThan(0); // not expired yet
    clock = new Date(clock.getTime() + 61_000);
    // Other tests' unsettled reservations expire too; at least this one is reaped.
    expect(await usage.reapExpired()).toBeGreaterThanOrEqual(1);
    expect(await month(userId)).toMatchObject({ reserved_tokens: 0, total_tokens: 100, request_count: 1 });
    const { rows } = await t.db.query('SELECT outcome, usage_source FROM usage_records WHERE request_id = $1', [requestId]);
    expect(rows[0]).toEqual({ outcome: 'failed', usage_source: 'estimate' });
    // The late settle of the dead call (if its process came back) does not count twice.
    expect((await usage.settle(settleArgs(userId, requestId, 100, 50))).recorded).toBe(false);
    expect(await usage.reapExpired()).toBe(0);
  });

  it('reaps a dead call no higher than it reserved, however long its checkpointed text counts', async () => {
    const userId = await newUser();
    const messageId = randomUUID();
    // The dead call's text, as the reaper reads it: far longer, to our tokenizer, than its output cap.
    const usage = service(t.db, { streamingReplies: { textOf: async () => 'upstream. '.repeat(200), markFailed: async () => undefined } });
    const requestId = randomUUID();
    await usage.reserve({ user: { id: userId }, requestId, model: 'demo', promptTokens: 100, maxOutputTokens: 10, messageId });
    clock = new Date(clock.getTime() + 61_000);
    expect(await usage.reapExpired()).toBeGreaterThanOrEqual(1);
    const { rows } = await t.db.query<{ output_tokens: number; total_tokens: number }>(
      'SELECT output_tokens, total_tokens FROM usage_records WHERE request_id = $1',
      [requestId],
    );
    expect(rows).toEqual([{ output_tokens: 10, total_tokens: 110 }]);
  });

  it('charges a call to the month it started in, even when it ends after midnight UTC', async () => {
    const userId = await newUser();
    const usage = service();
    clock = new Date('2026-11-30T23:59:59Z');
    const requestId = randomUUID();
    await usage.reserve({ user: { id: userId }, requestId, model: 'demo', promptTokens: 10, maxOutputTokens: 100 });
    clock = new Date('2026-12-01T00:00:05Z');
    await usage.settle(settleArgs(userId, requestId, 10, 90));
    expect(await month(userId, '2026-11')).toMatchObject({ total_tokens: 100, reserved_tokens: 0 });
    expect(await month(userId, '2026-12')).toBeUndefined();
    // The new month starts from zero.
    const r = await usage.reserve({ user: { id: userId }, requestId: randomUUID(), model: 'demo', promptTokens: 10, maxOutputTokens: 100 });
    expect(r.month).toBe('2026-12');
    clock = new Date('2026-11-15T12:00:00Z');
  });

  it('applies a tier change on the next request, in the middle of a month', async () => {
    const userId = await newUser('starter');
    const usage = service();
    const id = randomUUID();
    await usage.reserve({ user: { id: userId }, requestId: id, model: 'demo', promptTokens: 10, maxOutputTokens: 10 });
    await usage.settle(settleArgs(userId, id, 10_000, 10_000)); // 20k used of starter's 50k
    await t.db.query("UPDATE users SET tier = 'free' WHERE id = $1", [userId]); // downgrade: 20k > free's 10k
    await expect(usage.reserve({ user: { id: userId }, requestId: randomUUID(), model: 'demo', promptTokens: 1, maxOutputTokens: 1 })).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
    });
    await t.db.query("UPDATE users SET tier = 'starter' WHERE id = $1", [userId]);
    const r = await usage.reserve({ user: { id: userId }, requestId: randomUUID(), model: 'demo', promptTokens: 10, maxOutputTokens: 100_000 });
    expect(r.maxOutputTokens).toBe(50_000 - 20_000 - promptReservation(10));
  });

  it('writes nothing for a refused first call of the month (no empty month row either)', async () => {
    const userId = await newUser('free', 5);
    const usage = service();
    await expect(usage.reserve({ user: { id: userId }, requestId: randomUUID(), model: 'demo', promptTokens: 100, maxOutputTokens: 10 })).rejects.toMatchObject(
      {
        code: 'QUOTA_EXCEEDED',
      },
    );
    expect(await month(userId)).toBeUndefined();
    expect(await recordsSum(userId)).toEqual({ n: 0, total: 0 });
  });

  it('enforces a personal cap below the tier limit', async () => {
    const userId = await newUser('free', 500);
    const usage = service();
    const r = await usage.reserve({ user: { id: userId }, requestId: randomUUID(), model: 'demo', promptTokens: 10, maxOutputTokens: 4096 });
    expect(r.maxOutputTokens).toBe(500 - promptReservation(10));
  });

  it('limits model calls per minute by tier, across all processes (counted in the database)', async () => {
    const userId = await newUser();
    const strict = mergeTierLimits(tiers, { free: { requestsPerMinute: 2 } });
    const usage = service(t.db, { tiers: strict });
    for (let i = 0; i < 2; i++) {
      const requestId = randomUUID();
      await usage.reserve({ user: { id: userId }, requestId, model: 'demo', promptTokens: 1, maxOutputTokens: 1 });
      await usage.release({ requestId });
    }
    await expect(usage.reserve({ user: { id: userId }, requestId: randomUUID(), model: 'demo', promptTokens: 1, maxOutputTokens: 1 })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      headers: { 'retry-after': expect.any(String) },
    });
  });

  it('never lets 120 concurrent calls overspend, from several connection pools at once', async () => {
    const userId = await newUser();
    // On PostgreSQL each pool stands for a server process; PGlite serves one process only.
    const pools = kind === 'postgres' ? await Promise.all([1, 2, 3].map(() => openPostgres(t.url!, { size: 10, timeoutMs: 5000 }))) : [t.db];
    try {
      const services = pools.map((db) => service(db));
      const outcomes = await Promise.all(
        Array.from({ length: 120 }, async (_, i) => {
          const usage = services[i % services.length]!;
          const requestId = randomUUID();
          try {
            const r = await usage.reserve({ user: { id: userId }, requestId, model: 'demo', promptTokens: 50, maxOutputTokens: 200 });
            // The model writes everything it was allowed to.
            await usage.settle(settleArgs(userId, requestId, 50, r.maxOutputTokens));
            return 'ok';
          } catch (err) {
            if (err instanceof AppError && err.code === 'QUOTA_EXCEEDED') return 'refused';
            throw err;
          }
        }),
      );
      const m = (await month(userId))!;
      const sums = await recordsSum(userId);
      expect(m.total_tokens).toBeLessThanOrEqual(10_000);
      expect(m.total_tokens).toBe(sums.total);
      expect(m.reserved_tokens).toBe(0);
      expect(sums.n).toBe(outcomes.filter((o) => o === 'ok').length);
      expect(outcomes.filter((o) => o === 'refused').length).toBeGreaterThan(0);
    } finally {
      if (kind === 'postgres') await Promise.all(pools.map((p) => p.close()));
    }
  });
});
