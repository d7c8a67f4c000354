// An API key's monthly cap is a level of every call made with it, reserved in the same transaction
// as the user's month (docs/decisions/019): the output is clamped to the smaller remainder, the
// refusal names the level, and the key's month equals the sum of its records, on any number of
// connection pools.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { budgetProblems } from '../../../test/invariants.js';
import { testUsageService } from '../../../test/usage-service.js';
import { AppError } from '../../lib/errors.js';
import { DEFAULT_TIER_LIMITS, mergeTierLimits } from '../../lib/tiers/tiers.js';
import type { Db } from '../../platform/db/db.js';
import { openPostgres } from '../../platform/db/postgres.js';
import { promptReservation, type UsageServiceDeps } from './usage.service.js';

const tiers = mergeTierLimits(DEFAULT_TIER_LIMITS, { free: { monthlyTokens: 10_000, requestsPerMinute: 100_000 } });
const pricingOf: UsageServiceDeps['pricingOf'] = () => ({ provider: 'demo', inputMicroUsdPerMillion: 0, outputMicroUsdPerMillion: 0 });
const share = promptReservation(50, 'demo');

describe.each(testDbKinds())('API key budgets on %s', (kind) => {
  let t: TestDatabase;
  const clock = new Date('2026-11-15T12:00:00Z');
  const now = () => clock;
  const service = (db = t.db) => testUsageService(db, { tiers, now, pricingOf });

  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(() => t.drop());

  async function newUserWithKey(cap: number | null, personalCap: number | null = null) {
    const { rows } = await t.db.query<{ id: string }>(
      "INSERT INTO users (email, password_hash, tier, monthly_token_cap) VALUES ($1, 'x', 'free', $2) RETURNING id",
      [`${randomUUID()}@example.com`, personalCap],
    );
    const userId = rows[0]!.id;
    const { rows: keys } = await t.db.query<{ id: string }>(
      "INSERT INTO api_keys (user_id, name, prefix, key_hash, monthly_token_cap) VALUES ($1, 'k', 'qc_test', $2, $3) RETURNING id",
      [userId, randomUUID(), cap],
    );
    return { userId, key: { id: keys[0]!.id, monthly_token_cap: cap } };
  }
  const keyMonth = async (keyId: string) =>
    (
      await t.db.query<{ total_tokens: number; reserved_tokens: number }>('SELECT total_tokens, reserved_tokens FROM key_monthly_usage WHERE key_id = $1', [
        keyId,
      ])
    ).rows[0];
  const userMonth = async (userId: string) =>
    (
      await t.db.query<{ total_tokens: number; reserved_tokens: number }>('SELECT total_tokens, reserved_tokens FROM monthly_usage WHERE user_id = $1', [
        userId,
      ])
    ).rows[0];
  const call = (userId: string, key: { id: string; monthly_token_cap: number | null }, maxOutputTokens = 1000) => ({
    user: { id: userId },
    requestId: randomUUID(),
    model: 'demo',
    promptTokens: 50,
    maxOutputTokens,
    charge: { key },
  });
  const settle = (userId: string, keyId: string, requestId: string, outputTokens: number) =>
    ({ requestId, userId, keyId, model: 'demo', inputTokens: 50, outputTokens, source: 'provider', outcome: 'complete' }) as const;

  it("clamps the output to the key's remainder and holds it in the key's month and the user's at once", async () => {
    const { userId, key } = await newUserWithKey(400);
    const usage = service();
    const input = call(userId, key);
    const r = await usage.reserve(input);
    expect(r.reservedTokens).toBe(400);
    expect(r.maxOutputTokens).toBe(400 - share);
    // The key binds: what it has left is what the quota reports.
    expect(r.quota.tokens).toMatchObject({ limit: 400, remaining: 0 });
    expect(await keyMonth(key.id)).toMatchObject({ reserved_tokens: 400, total_tokens: 0 });
    expect(await userMonth(userId)).toMatchObject({ reserved_tokens: 400, total_tokens: 0 });
    await usage.settle(settle(userId, key.id, input.requestId, 100));
    expect(await keyMonth(key.id)).toEqual({ reserved_tokens: 0, total_tokens: 150 });
    expect(await userMonth(userId)).toEqual({ reserved_tokens: 0, total_tokens: 150 });
    const { rows } = await t.db.query('SELECT key_id FROM usage_records WHERE request_id = $1', [input.requestId]);
    expect(rows).toEqual([{ key_id: key.id }]);
  });

  it('refuses with level key_cap when the key has run out, writing nothing, while the user can still call without it', async () => {
    const { userId, key } = await newUserWithKey(share);
    const usage = service();
    const err = await usage.reserve(call(userId, key)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('QUOTA_EXCEEDED');
    expect((err as AppError).extra).toMatchObject({ level: 'key_cap', limit: share, used: 0, remaining: share });
    expect((err as AppError).message).toContain("this API key's");
    // Nothing written: neither month row, nor a reservation.
    expect(await keyMonth(key.id)).toBeUndefined();
    expect(await userMonth(userId)).toBeUndefined();
    const alone = await usage.reserve({ user: { id: userId }, requestId: randomUUID(), model: 'demo', promptTokens: 50, maxOutputTokens: 10 });
    expect(alone.reservedTokens).toBe(share + 10);
  });

  it("names the user's level when the plan runs out before the key does", async () => {
    const { userId, key } = await newUserWithKey(5_000, 30);
    const err = (await service()
      .reserve(call(userId, key))
      .catch((e: unknown) => e)) as AppError;
    expect(err.extra).toMatchObject({ level: 'personal_cap', limit: 30 });
    const uncapped = await newUserWithKey(null);
    await t.db.query("INSERT INTO monthly_usage (user_id, month, total_tokens) VALUES ($1, '2026-11', 9990)", [uncapped.userId]);
    const tierErr = (await service()
      .reserve(call(uncapped.userId, uncapped.key))
      .catch((e: unknown) => e)) as AppError;
    expect(tierErr.extra).toMatchObject({ level: 'tier', limit: 10_000, used: 9990 });
  });

  it("reserves, settles and releases a key's call in one statement each once the month rows exist (no transaction)", async () => {
    const { userId, key } = await newUserWithKey(5_000);
    const seen: string[] = [];
    const counting: Db = {
      ...t.db,
      query: (text, params) => {
        seen.push(text);
        return t.db.query(text, params);
      },
      transaction: (fn) => {
        seen.push('BEGIN');
        return t.db.transaction((tx) =>
          fn({
            query: (text, params) => {
              seen.push(text);
              return tx.query(text, params);
            },
          }),
        );
      },
    };
    const budgetStatements = () => seen.filter((text) => text === 'BEGIN' || /monthly_usage|usage_reservations|usage_records/.test(text));
    const usage = service(counting);
    const first = call(userId, key);
    await usage.reserve(first); // the month's first call makes the rows, in a transaction
    await usage.settle(settle(userId, key.id, first.requestId, 10));
    seen.length = 0;
    const second = call(userId, key);
    await usage.reserve(second);
    expect(budgetStatements()).toHaveLength(1);
    seen.length = 0;
    await usage.settle(settle(userId, key.id, second.requestId, 10));
    expect(budgetStatements()).toHaveLength(1);
    const third = call(userId, key);
    await usage.reserve(third);
    seen.length = 0;
    await usage.release({ requestId: third.requestId });
    // Which accounts to give back to is read first: then one statement.
    expect(budgetStatements()).toHaveLength(2);
    expect(await keyMonth(key.id)).toEqual({ reserved_tokens: 0, total_tokens: 120 });
    expect(await userMonth(userId)).toEqual({ reserved_tokens: 0, total_tokens: 120 });
  });

  it('gives a released or reaped reservation back to both months', async () => {
    const { userId, key } = await newUserWithKey(1_000);
    const usage = service();
    const released = call(userId, key, 100);
    await usage.reserve(released);
    await usage.release({ requestId: released.requestId });
    expect(await keyMonth(key.id)).toMatchObject({ reserved_tokens: 0 });
    expect(await userMonth(userId)).toMatchObject({ reserved_tokens: 0 });
    const abandoned = call(userId, key, 100);
    await usage.reserve(abandoned);
    const later = testUsageService(t.db, { tiers, now: () => new Date(clock.getTime() + 120_000), pricingOf });
    expect(await later.reapExpired()).toBeGreaterThanOrEqual(1);
    expect(await keyMonth(key.id)).toEqual({ reserved_tokens: 0, total_tokens: 50 });
    expect(await userMonth(userId)).toEqual({ reserved_tokens: 0, total_tokens: 50 });
    expect(await budgetProblems(t.db)).toEqual([]);
  });

  it('never lets concurrent calls on one key overspend its cap, from several connection pools, on two keys of one user at once', async () => {
    const { userId, key } = await newUserWithKey(2_000);
    const { rows } = await t.db.query<{ id: string }>(
      "INSERT INTO api_keys (user_id, name, prefix, key_hash, monthly_token_cap) VALUES ($1, 'k2', 'qc_test', $2, 3000) RETURNING id",
      [userId, randomUUID()],
    );
    const other = { id: rows[0]!.id, monthly_token_cap: 3000 };
    const pools = kind === 'postgres' ? await Promise.all([1, 2, 3].map(() => openPostgres(t.url!, { size: 10, timeoutMs: 5000 }))) : [t.db];
    try {
      const services = pools.map((db) => service(db));
      const outcomes = await Promise.all(
        Array.from({ length: 90 }, async (_, i) => {
          const usage = services[i % services.length]!;
          const k = i % 3 === 0 ? other : key;
          const input = call(userId, k, 200);
          try {
            const r = await usage.reserve(input);
            await usage.settle(settle(userId, k.id, input.requestId, r.maxOutputTokens));
            return 'ok';
          } catch (err) {
            if (err instanceof AppError && err.code === 'QUOTA_EXCEEDED') return String(err.extra.level);
            throw err;
          }
        }),
      );
      expect(outcomes).toContain('key_cap');
      expect((await keyMonth(key.id))!.total_tokens).toBeLessThanOrEqual(2_000);
      expect((await keyMonth(other.id))!.total_tokens).toBeLessThanOrEqual(3_000);
      const u = (await userMonth(userId))!;
      expect(u.total_tokens).toBe((await keyMonth(key.id))!.total_tokens + (await keyMonth(other.id))!.total_tokens);
      expect(u.reserved_tokens).toBe(0);
      expect(await budgetProblems(t.db)).toEqual([]);
    } finally {
      if (kind === 'postgres') await Promise.all(pools.map((p) => p.close()));
    }
  });
});
