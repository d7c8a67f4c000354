// Fixed-window rate limits kept in PostgreSQL, so that every server process behind a load
// balancer counts against the same numbers (an in-memory limiter would multiply the limit by N).
// With REDIS_URL the same limits are counted in Redis instead (redis-rate-limiter.ts).
import type { Queryable } from '../db/db.js';
import { fixedWindowOf, rateLimitedError, type RateLimitRule } from './fixed-window.js';
import { deleteStaleRateLimitCounters, incrementRateLimitCounter } from './rate-limits.repository.js';

export type { RateLimitRule } from './fixed-window.js';

export interface RateLimiter {
  /** Counts a hit on every rule; throws RATE_LIMITED (429, Retry-After) if any is over its limit. */
  hit(rules: RateLimitRule[]): Promise<void>;
  /**
   * Deletes the counters of windows that have ended, given the longest window any rule counts;
   * answers how many went. A counter past its window only waits for its key's next hit to start
   * over at 1, so deleting it changes no count.
   */
  deleteStaleCounters(input: { longestWindowSeconds: number }): Promise<number>;
}

export function createRateLimiter(db: Queryable, now: () => Date): RateLimiter {
  return {
    async hit(rules) {
      for (const rule of rules) {
        const window = fixedWindowOf(now(), rule.windowSeconds);
        const hits = await incrementRateLimitCounter(db, { key: rule.key, windowStart: window.start });
        if (hits > rule.limit) throw rateLimitedError(rule, window);
      }
    },

    deleteStaleCounters({ longestWindowSeconds }) {
      return deleteStaleRateLimitCounters(db, { before: new Date(now().getTime() - longestWindowSeconds * 1000) });
    },
  };
}
