// The numbers of a QUOTA_EXCEEDED refusal (limit, used, remaining, resets_at), as a sentence.
import { formatDate, formatInt } from '../../lib/format';
import type { ApiError } from '../../lib/problem';

/**
 * The numbers of a QUOTA_EXCEEDED refusal, as a sentence: "<who> used N of <whose> L tokens<where>...".
 */
export function quotaSentence(error: ApiError, whose: string, { who = "You've", where = '' }: { who?: string; where?: string } = {}): string {
  const limit = Number(error.problem['limit'] ?? 0);
  const used = Number(error.problem['used'] ?? limit);
  const remaining = Number(error.problem['remaining'] ?? Math.max(0, limit - used));
  const resetsAt = typeof error.problem['resets_at'] === 'string' ? error.problem['resets_at'] : null;
  const resets = resetsAt ? `; resets on ${formatDate(resetsAt)}` : '';
  return remaining > 0
    ? `${who} used ${formatInt(used)} of ${whose} ${formatInt(limit)} tokens${where}, and this message needs more than the ${formatInt(remaining)} left${resets}.`
    : `${who} used ${whose} ${formatInt(limit)} tokens${where}${resets}.`;
}
