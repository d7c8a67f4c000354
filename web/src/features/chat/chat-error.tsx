// What the chat says when a request is refused or a reply fails. The monthly limit gets a plain
// sentence rather than a generic error, naming the limit that ran out (the 429's `level`): the
// user's own cap points to where it is changed, the plan's limit to the tiers table, a team's pool
// and the cap its admins set to the team (team-quota-notice.tsx).
import { useSession } from '../../lib/app-context';
import { ApiError, errorMessage } from '../../lib/problem';
import { Link } from '../../lib/router';
import type { Team } from '../../lib/types';
import { TiersTable } from '../usage/tiers-table';
import { quotaSentence } from './quota-sentence';
import { KeyCapNotice, TeamQuotaNotice } from './team-quota-notice';

interface ChatErrorProps {
  error: Error;
  onDismiss: () => void;
  /** The team the chat is charged to (the Plan picker), to name in a refusal of its pool or cap. */
  team?: Pick<Team, 'id' | 'name'> | null;
}

export function ChatError({ error, onDismiss, team = null }: ChatErrorProps) {
  if (error instanceof ApiError && error.code === 'QUOTA_EXCEEDED') {
    const level = error.problem['level'];
    if (level === 'team_pool' || level === 'member_cap') return <TeamQuotaNotice error={error} level={level} team={team} />;
    if (level === 'key_cap') return <KeyCapNotice error={error} />;
    return level === 'personal_cap' ? <PersonalCapNotice error={error} /> : <TierLimitNotice error={error} />;
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
