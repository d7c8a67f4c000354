// What the chat says when a request is refused or a reply fails. The monthly limit gets a plain
// sentence and the tiers table rather than a generic error.
import { useSession } from '../../lib/app-context';
import { formatDate, formatInt } from '../../lib/format';
import { ApiError, errorMessage } from '../../lib/problem';
import { Link } from '../../lib/router';
import { TiersTable } from '../usage/tiers-table';

export function ChatError({ error, onDismiss }: { error: Error; onDismiss: () => void }) {
  const { user } = useSession();
  if (error instanceof ApiError && error.code === 'QUOTA_EXCEEDED') {
    const limit = Number(error.problem['limit'] ?? 0);
    const used = Number(error.problem['used'] ?? limit);
    const remaining = Number(error.problem['remaining'] ?? Math.max(0, limit - used));
    const resetsAt = typeof error.problem['resets_at'] === 'string' ? error.problem['resets_at'] : null;
    const resets = resetsAt ? `; resets on ${formatDate(resetsAt)}` : '';
    return (
      <section className="quota-notice" role="alert" aria-labelledby="quota-title">
        <h2 id="quota-title">Monthly limit reached</h2>
        <p>
          {remaining > 0
            ? `You've used ${formatInt(used)} of this month's ${formatInt(limit)} tokens, and this message needs more than the ${formatInt(remaining)} left${resets}.`
            : `You've used this month's ${formatInt(limit)} tokens${resets}.`}
        </p>
        <p className="muted">
          A higher tier raises the limit; an administrator can change your tier. See your <Link to="/usage">usage</Link>.
        </p>
        <TiersTable current={user?.tier} caption="What each tier allows" />
      </section>
    );
  }
  let text = errorMessage(error);
  if (error instanceof ApiError && error.code === 'RATE_LIMITED') {
    text = error.retryAfter ? `Too many requests: try again in ${error.retryAfter} s.` : 'Too many requests: wait a moment and try again.';
  } else if (!(error instanceof ApiError)) {
    text = `The reply failed: ${text}`;
  }
  return (
    <div className="chat-error" role="alert">
      <span>{text}</span>
      <button type="button" className="button ghost small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
