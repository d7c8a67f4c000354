// OpenAI's rate-limit headers (platform.openai.com/docs/guides/rate-limits): the requests of the
// current minute and, for tokens, the month's budget (ours is monthly where OpenAI's is per
// minute). Reset times are durations as OpenAI writes them: "1s", "6m0s", "250ms".
import type { AppError } from '../../lib/errors.js';
import type { QuotaState } from '../../lib/model-calls/usage-meter.js';

export function formatResetDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const totalSeconds = Math.ceil(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

export function rateLimitHeaders(quota: QuotaState): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': String(quota.requests.limit),
    'x-ratelimit-remaining-requests': String(quota.requests.remaining),
    'x-ratelimit-reset-requests': formatResetDuration(quota.requests.resetMs),
    'x-ratelimit-limit-tokens': String(quota.tokens.limit),
    'x-ratelimit-remaining-tokens': String(quota.tokens.remaining),
    'x-ratelimit-reset-tokens': formatResetDuration(quota.tokens.resetMs),
  };
}

/**
 * The headers of a refusal, from what the error knows: past the requests of the minute, that
 * trio (nothing left, reset when the window ends); over the month's tokens, what the month has.
 */
export function refusalRateLimitHeaders(error: AppError): Record<string, string> {
  const { extra } = error;
  if (error.code === 'RATE_LIMITED' && typeof extra.limit === 'number' && typeof extra.retry_after === 'number') {
    return {
      'x-ratelimit-limit-requests': String(extra.limit),
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': formatResetDuration(extra.retry_after * 1000),
    };
  }
  if (error.code === 'QUOTA_EXCEEDED' && typeof extra.limit === 'number' && typeof extra.remaining === 'number') {
    const retryAfter = Number(error.headers['retry-after']);
    return {
      'x-ratelimit-limit-tokens': String(extra.limit),
      'x-ratelimit-remaining-tokens': String(extra.remaining),
      // Known when only the new month helps (no call in flight that may give tokens back).
      ...(retryAfter > 0 && { 'x-ratelimit-reset-tokens': formatResetDuration(retryAfter * 1000) }),
    };
  }
  return {};
}
