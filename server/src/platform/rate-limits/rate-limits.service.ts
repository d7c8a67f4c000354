// Fixed-window rate limits kept in PostgreSQL, so that every server process behind a load
// balancer counts against the same numbers (an in-memory limiter would multiply the limit by N).
// With REDIS_URL the same limits are counted in Redis instead (redis-rate-limiter.ts).
import type { Queryable } from '../db/db.js';
import { fixedWindowOf, rateLimitedError, stateAfterHit, type RateLimitRule, type RateLimitState } from './fixed-window.js';
import { createHitBatcher } from './hit-batcher.js';
import { deleteStaleRateLimitCounters } from './rate-limits.repository.js';

export type { RateLimitRule, RateLimitState } from './fixed-window.js';

export interface RateLimiter {
  /**
   * Counts a hit on every rule; throws RATE_LIMITED (429, Retry-After) if any is over its limit.
   * Answers where each rule stands, in order (for rate-limit response headers).
   */
  hit(rules: RateLimitRule[]): Promise<RateLimitState[]>;
  /**
   * Deletes the counters of windows that have ended, given the longest window any rule counts;
   * answers how many went. A counter past its window only waits for its key's next hit to start
   * over at 1, so deleting it changes no count.
   */
  deleteStaleCounters(input: { longestWindowSeconds: number }): Promise<number>;
}

export function createRateLimiter(db: Queryable, now: () => Date): RateLimiter {
  const counters = createHitBatcher(db);
  return {
    async hit(rules) {
      const states: RateLimitState[] = [];
      for (const rule of rules) {
        const at = now();
        const window = fixedWindowOf(at, rule.windowSeconds);
        const hits = await counters.hit(rule.key, window.start);
        if (hits > rule.limit) throw rateLimitedError(rule, window);
        states.push(stateAfterHit(rule, hits, window, at));
      }
      return states;
    },

    deleteStaleCounters({ longestWindowSeconds }) {
      return deleteStaleRateLimitCounters(db, { before: new Date(now().getTime() - longestWindowSeconds * 1000) });
    },
  };
}
