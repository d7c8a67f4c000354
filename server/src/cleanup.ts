// The housekeeping job: deletes what no request can use any more, so that tables written on every
// login or limited request stay small. Each table is cleaned by its owning module's service:
// expired refresh tokens (auth), expired mailed links and ended waits of deleted addresses
// (accounts, users) and the counters of ended rate-limit windows (rate-limits). Every
// process runs it, as it runs the reaper; the deletes are idempotent, so processes may overlap.
import type { FastifyBaseLogger } from 'fastify';
import type { AccountsService } from './features/accounts/accounts.service.js';
import type { AuthService } from './features/auth/auth.service.js';
import { startPeriodic } from './lib/periodic.js';
import type { RateLimiter } from './platform/rate-limits/rate-limits.service.js';

/** Hourly: the rows are only dead weight, and a pass is one DELETE per table. */
export const CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

export interface CleanupDeps {
  auth: Pick<AuthService, 'deleteExpiredRefreshTokens'>;
  accounts: Pick<AccountsService, 'deleteExpired'>;
  rateLimiter: Pick<RateLimiter, 'deleteStaleCounters'>;
  /** The longest window any rate-limit rule counts (a counter is stale once that long has passed). */
  longestRateLimitWindowSeconds: number;
  log: FastifyBaseLogger;
}

export interface CleanupResult {
  refreshTokens: number;
  accountTokens: number;
  rateLimitCounters: number;
}

export function createCleanup(deps: CleanupDeps) {
  const { log } = deps;

  /** One pass; a table that fails is logged and does not stop the other. */
  async function run(): Promise<CleanupResult> {
    const attempt = async (what: string, fn: () => Promise<number>) => {
      try {
        return await fn();
      } catch (err) {
        log.error({ err }, `cleanup of ${what} failed`);
        return 0;
      }
    };
    const result = {
      refreshTokens: await attempt('expired refresh tokens', () => deps.auth.deleteExpiredRefreshTokens()),
      accountTokens: await attempt('expired mailed links', () => deps.accounts.deleteExpired()),
      rateLimitCounters: await attempt('stale rate-limit counters', () =>
        deps.rateLimiter.deleteStaleCounters({ longestWindowSeconds: deps.longestRateLimitWindowSeconds }),
      ),
    };
    if (result.refreshTokens || result.accountTokens || result.rateLimitCounters) log.info(result, 'cleanup deleted expired rows');
    return result;
  }

  /** Runs now and then every intervalMs, never two passes at once; answers a function that stops it. */
  function start(intervalMs = CLEANUP_INTERVAL_MS): () => void {
    return startPeriodic(
      intervalMs,
      async () => void (await run()),
      (err) => log.error({ err }, 'cleanup failed'),
    );
  }

  return { run, start };
}

export type Cleanup = ReturnType<typeof createCleanup>;
