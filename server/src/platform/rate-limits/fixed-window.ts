// The arithmetic every rate-limit store shares, so that PostgreSQL and Redis answer alike: which
// fixed window an instant falls in, and the 429 a caller gets when a window is full.
import { AppError } from '../../lib/errors.js';

export interface RateLimitRule {
  key: string;
  limit: number;
  windowSeconds: number;
}

/** Where a rule stands after a hit that it allowed: what rate-limit response headers report. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Milliseconds until the window ends and the count starts over. */
  resetMs: number;
}

export function stateAfterHit(rule: RateLimitRule, hits: number, window: FixedWindow, at: Date): RateLimitState {
  return { limit: rule.limit, remaining: Math.max(0, rule.limit - hits), resetMs: Math.max(0, window.start.getTime() + window.ms - at.getTime()) };
}

export interface FixedWindow {
  start: Date;
  ms: number;
  /** Whole seconds until the window ends (at least 1), for Retry-After. */
  retryAfterSeconds: number;
}

export function fixedWindowOf(at: Date, windowSeconds: number): FixedWindow {
  const ms = windowSeconds * 1000;
  const t = at.getTime();
  const start = Math.floor(t / ms) * ms;
  return { start: new Date(start), ms, retryAfterSeconds: Math.max(1, Math.ceil((start + ms - t) / 1000)) };
}

export function rateLimitedError(rule: RateLimitRule, window: FixedWindow): AppError {
  const retryAfter = window.retryAfterSeconds;
  return new AppError(
    'RATE_LIMITED',
    `Too many attempts; try again in ${retryAfter} seconds.`,
    { limit: rule.limit, window_seconds: rule.windowSeconds, retry_after: retryAfter },
    { 'retry-after': String(retryAfter) },
  );
}
