// A refusal of a team's call (docs/decisions/021): the team's pool ran out, or the cap the team's
// admins gave this member; and a key's own cap. Each names what ran out, not the personal tier.
import { ApiError } from '../../lib/problem';
import { Link } from '../../lib/router';
import type { Team } from '../../lib/types';
import { quotaSentence } from './quota-sentence';

interface TeamQuotaNoticeProps {
  error: ApiError;
  level: 'team_pool' | 'member_cap';
  team: Pick<Team, 'id' | 'name'> | null;
}

export function TeamQuotaNotice({ error, level, team }: TeamQuotaNoticeProps) {
  const name = team?.name ?? 'your team';
  const teamLink = team ? <Link to={`/teams/${encodeURIComponent(team.id)}`}>{team.name}</Link> : 'the team';
  if (level === 'team_pool') {
    return (
      <section className="quota-notice" role="alert" aria-labelledby="quota-title">
        <h2 id="quota-title">Your team&apos;s monthly pool is used up</h2>
        <p>{quotaSentence(error, 'its monthly', { who: `${team?.name ?? 'Your team'} has` })}</p>
        <p className="muted">The pool is shared by everyone in {teamLink}; its tier sets it. Switch the Plan to Personal to use your own tokens.</p>
      </section>
    );
  }
  return (
    <section className="quota-notice" role="alert" aria-labelledby="quota-title">
      <h2 id="quota-title">You have reached your cap in {name}</h2>
      <p>{quotaSentence(error, 'your monthly cap of', { where: ` in ${name}` })}</p>
      <p className="muted">The admins of {teamLink} set this cap; ask them to raise it, or switch the Plan to Personal to use your own tokens.</p>
    </section>
  );
}

export function KeyCapNotice({ error }: { error: ApiError }) {
  return (
    <section className="quota-notice" role="alert" aria-labelledby="quota-title">
      <h2 id="quota-title">This API key&apos;s monthly cap is reached</h2>
      <p>{quotaSentence(error, "this key's monthly cap of", { who: 'It has' })}</p>
      <p className="muted">
        Raise or remove the key&apos;s cap in <Link to="/settings">Settings</Link>.
      </p>
    </section>
  );
}
