// What exact metering costs: one reserve + settle pair (two transactions with a row lock) against
// the naive "check a counter, then add to it" that LiteLLM-style limiters do, side by side on the
// same database in the same run. Also: contention, 50 concurrent callers on one user.
import { randomUUID } from 'node:crypto';
import { createUsageService } from '../server/src/features/usage/usage.service.js';
import { createUsersService } from '../server/src/features/users/users.service.js';
import { DEFAULT_TIER_LIMITS, mergeTierLimits } from '../server/src/lib/tiers/tiers.js';
import type { Db } from '../server/src/platform/db/db.js';
import { createRateLimiter } from '../server/src/platform/rate-limits/rate-limits.service.js';

const tiers = mergeTierLimits(DEFAULT_TIER_LIMITS, { free: { monthlyTokens: 1e12, requestsPerMinute: 1e9 } });

async function newUser(db: Db) {
  const { rows } = await db.query<{ id: string }>('INSERT INTO users (email, password_hash) VALUES ($1, $2) RETURNING id', [`${randomUUID()}@bench`, 'x']);
  return rows[0]!.id;
}

async function timeIt(n: number, concurrency: number, fn: () => Promise<void>) {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) await fn();
    }),
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ops: n, ms, perSecond: (n / ms) * 1000 };
}

export async function benchMetering(db: Db, n: number) {
  const now = () => new Date();
  const usage = createUsageService({
    db,
    tiers,
    now,
    rateLimiter: createRateLimiter(db, now),
    pricingOf: () => undefined,
    reservationTtlMs: 600_000,
    findUser: (id) => createUsersService({ db }).findUser(id),
  });
  const userId = await newUser(db);
  const month = new Date().toISOString().slice(0, 7);

  const naive = async () => {
    // Read, then add: the pattern that overspends under concurrency; here only its cost matters.
    await db.query('SELECT total_tokens FROM monthly_usage WHERE user_id = $1 AND month = $2', [userId, month]);
    await db.query('INSERT INTO usage_records (user_id, model, input_tokens, output_tokens, total_tokens) VALUES ($1, $2, 10, 20, 30)', [userId, 'demo']);
    await db.query(
      `INSERT INTO monthly_usage (user_id, month, total_tokens) VALUES ($1, $2, 30)
       ON CONFLICT (user_id, month) DO UPDATE SET total_tokens = monthly_usage.total_tokens + 30`,
      [userId, month],
    );
  };
  const exact = async () => {
    const requestId = randomUUID();
    await usage.reserve({ user: { id: userId }, requestId, model: 'demo', promptTokens: 10, maxOutputTokens: 100 });
    await usage.settle({ requestId, userId, model: 'demo', inputTokens: 10, outputTokens: 20, source: 'provider', outcome: 'complete' });
  };

  await timeIt(50, 1, naive); // warm-up
  await timeIt(50, 1, exact);
  const naiveSerial = await timeIt(n, 1, naive);
  const exactSerial = await timeIt(n, 1, exact);
  const exactConcurrent = await timeIt(n, 50, exact);
  return { naiveSerial, exactSerial, exactConcurrent };
}
