// What the chat says when a request is refused or a reply fails. The monthly limit gets a plain
// sentence rather than a generic error, naming the limit that ran out (the 429's `level`): the
// user's own cap points to where it is changed, the plan's limit to the tiers table.
import { useSession } from '../../lib/app-context';
import { formatDate, formatInt } from '../../lib/format';
import { ApiError, errorMessage } from '../../lib/problem';
import { Link } from '../../lib/router';
import { TiersTable } from '../usage/tiers-table';

export function ChatError({ error, onDismiss }: { error: Error; onDismiss: () => void }) {
  if (error instanceof ApiError && error.code === 'QUOTA_EXCEEDED') {
    return error.problem['level'] === 'personal_cap' ? <PersonalCapNotice error={error} /> : <TierLimitNotice error={error} />;
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

/** The numbers of a QUOTA_EXCEEDED refusal, as a sentence. */
function quotaSentence(error: ApiError, whose: string): string {
  const limit = Number(error.problem['limit'] ?? 0);
  const used = Number(error.problem['used'] ?? limit);
  const remaining = Number(error.problem['remaining'] ?? Math.max(0, limit - used));
  const resetsAt = typeof error.problem['resets_at'] === 'string' ? error.problem['resets_at'] : null;
  const resets = resetsAt ? `; resets on ${formatDate(resetsAt)}` : '';
  return remaining > 0
    ? `You've used ${formatInt(used)} of ${whose} ${formatInt(limit)} tokens, and this message needs more than the ${formatInt(remaining)} left${resets}.`
    : `You've used ${whose} ${formatInt(limit)} tokens${resets}.`;
}

function PersonalCapNotice({ error }: { error: ApiError }) {
  return (
    <section className="quota-notice" role="alert" aria-labelledby="quota-title">
      <h2 id="quota-title">Your own monthly cap reached</h2>
      <p>{quotaSentence(error, 'your own monthly cap of')}</p>
      <p className="muted">
        Your plan allows more: raise or remove your cap on the <Link to="/usage">usage</Link> page.
      </p>
    </section>
  );
}

function TierLimitNotice({ error }: { error: ApiError }) {
  const { user } = useSession();
  return (
    <section className="quota-notice" role="alert" aria-labelledby="quota-title">
      <h2 id="quota-title">Monthly limit reached</h2>
      <p>{quotaSentence(error, "this month's")}</p>
      <p className="muted">
        This is your plan&apos;s limit: a higher tier raises it, and an administrator can change your tier. See your <Link to="/usage">usage</Link>.
      </p>
      <TiersTable current={user?.tier} caption="What each tier allows" />
    </section>
  );
}
