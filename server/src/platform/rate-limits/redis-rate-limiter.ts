// The fixed windows of rate-limits.service.ts, counted in Redis when REDIS_URL is set: the same
// rules, the same 429 with Retry-After, one round trip per rule. If Redis cannot answer, the
// request is refused (503 RATE_LIMITER_UNAVAILABLE) rather than let through uncounted: limits are
// part of what the product sells (docs/decisions/008-redis-counters.md).
import type { FastifyBaseLogger } from 'fastify';
import type { Redis, Result } from 'ioredis';
import { AppError } from '../../lib/errors.js';
import { fixedWindowOf, rateLimitedError, stateAfterHit } from './fixed-window.js';
import type { RateLimiter, RateLimitState } from './rate-limits.service.js';

// INCR and the expiry run as one script, which Redis executes atomically: concurrent hits from any
// number of processes count exactly, and no crash can leave a counter without its expiry. The
// expiry is set by the first hit, so a key lives at least until its window ends (the key names
// the window, so a later window never reads it) and at most two windows.
const HIT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return hits`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rateLimitHit(key: string, ttlMs: number): Result<number, Context>;
  }
}

/** Every key this limiter writes starts here, so it can share a Redis with other uses. */
export const REDIS_KEY_PREFIX = 'qc:rl:';

export function redisRateLimitKey(key: string, windowStart: Date): string {
  return `${REDIS_KEY_PREFIX}${key}:${windowStart.getTime()}`;
}

export function createRedisRateLimiter(redis: Redis, now: () => Date, log?: Pick<FastifyBaseLogger, 'warn'>): RateLimiter {
  // Sent as EVALSHA, falling back to EVAL once if Redis does not have the script cached yet.
  // Defining it again on a shared client is harmless.
  redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });

  return {
    async hit(rules) {
      const states: RateLimitState[] = [];
      for (const rule of rules) {
        const at = now();
        const window = fixedWindowOf(at, rule.windowSeconds);
        let hits: number;
        try {
          hits = await redis.rateLimitHit(redisRateLimitKey(rule.key, window.start), window.ms);
        } catch (err) {
          log?.warn({ err }, 'redis: rate-limit counter not answered; refusing the request');
          throw new AppError('RATE_LIMITER_UNAVAILABLE', 'Request limits cannot be checked right now; try again in a few seconds.');
        }
        if (hits > rule.limit) throw rateLimitedError(rule, window);
        states.push(stateAfterHit(rule, hits, window, at));
      }
      return states;
    },

    // Nothing to clean: every key expires by itself one window after its first hit.
    deleteStaleCounters: async () => 0,
  };
}
