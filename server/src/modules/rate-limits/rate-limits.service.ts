// Fixed-window rate limits kept in PostgreSQL, so that every server process behind a load
// balancer counts against the same numbers (an in-memory limiter would multiply the limit by N).
import type { Queryable } from '../../db/db.js';
import { AppError } from '../../lib/errors.js';
import { incrementRateLimitCounter } from './rate-limits.repository.js';

export interface RateLimitRule {
  key: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimiter {
  /** Counts a hit on every rule; throws RATE_LIMITED (429, Retry-After) if any is over its limit. */
  hit(rules: RateLimitRule[]): Promise<void>;
}

export function createRateLimiter(db: Queryable, now: () => Date): RateLimiter {
  return {
    async hit(rules) {
      for (const rule of rules) {
        const windowMs = rule.windowSeconds * 1000;
        const t = now().getTime();
        const windowStart = new Date(Math.floor(t / windowMs) * windowMs);
        const hits = await incrementRateLimitCounter(db, { key: rule.key, windowStart });
        if (hits > rule.limit) {
          const retryAfter = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - t) / 1000));
          throw new AppError(
            'RATE_LIMITED',
            `Too many attempts; try again in ${retryAfter} seconds.`,
            { limit: rule.limit, window_seconds: rule.windowSeconds, retry_after: retryAfter },
            { 'retry-after': String(retryAfter) },
          );
        }
      }
    },
  };
}
