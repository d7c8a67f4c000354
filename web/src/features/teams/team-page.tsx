// One team: its pool this month, its members (with their caps and use), invitations for admins, its
// usage by member and by model (admins) or one's own (members), and leaving, handing over or
// deleting it. A team the user is not in answers 404, and the page says only that.
import { useState } from 'react';
import { ErrorNote } from '../../components/error-note';
import { MonthSelect } from '../../components/month-select';
import { useSession } from '../../lib/app-context';
import { capitalize, formatDate, formatInt, formatMonth, monthOf } from '../../lib/format';
import { ApiError } from '../../lib/problem';
import { Link } from '../../lib/router';
import type { TeamDetail, TeamUsage } from '../../lib/types';
import { UsageMeter } from '../usage/usage-meter';
import { TeamEnd } from './team-end';
import { TeamInvitations } from './team-invitations';
import { TeamMembers } from './team-members';
import { isTeamAdmin } from './team-roles';
import { TeamUsageSection } from './team-usage';
import { useTeam, useTeamUsage } from './teams-api';

export function TeamPage({ id }: { id: string }) {
  const { user } = useSession();
  const team = useTeam(id);
  const [month, setMonth] = useState(() => monthOf(new Date()));
  const usage = useTeamUsage(id, month);
  const t = team.data;

  // Not a team id at all (422) is as missing as someone else's team (404).
  if (team.error instanceof ApiError && (team.error.status === 404 || team.error.status === 422)) {
    return (
      <main className="page narrow">
        <h1>Team not found</h1>
        <p>There is no such team, or you are not a member of it.</p>
        <p>
          <Link to="/teams">Your teams</Link>
        </p>
      </main>
    );
  }
  return (
    <main className="page">
      <p className="breadcrumb">
        <Link to="/teams">All teams</Link>
      </p>
      {team.isPending ? <p className="muted">Loading…</p> : null}
      <ErrorNote error={team.error ?? usage.error} />
      {t ? (
        <>
          <div className="page-head">
            <h1>{t.name}</h1>
            <MonthSelect id="team-month" value={month} onChange={setMonth} since={t.created_at} />
          </div>
          <PoolCard team={t} usage={usage.data} month={month} myId={user!.id} />
          <TeamMembers team={t} usage={usage.data} myId={user!.id} />
          {isTeamAdmin(t.role) ? <TeamInvitations team={t} /> : null}
          {usage.data ? <TeamUsageSection usage={usage.data} admin={isTeamAdmin(t.role)} /> : null}
          <TeamEnd team={t} myId={user!.id} />
        </>
      ) : null}
    </main>
  );
}

function PoolCard({ team, usage, month, myId }: { team: TeamDetail; usage: TeamUsage | undefined; month: string; myId: string }) {
  const mine = usage?.by_member.find((m) => m.user_id === myId);
  return (
    <section className="card" aria-labelledby="pool-title">
      <h2 id="pool-title" className="visually-hidden">
        Team pool
      </h2>
      {usage ? (
        <UsageMeter used={usage.pool.used} reserved={usage.pool.reserved} limit={usage.pool.limit} label={`Team pool in ${formatMonth(month)}`} />
      ) : null}
      <dl className="facts">
        <div>
          <dt>Tier</dt>
          <dd>
            {capitalize(team.tier)} ({formatInt(team.pool)} tokens a month)
          </dd>
        </div>
        <div>
          <dt>Your role</dt>
          <dd>{capitalize(team.role)}</dd>
        </div>
        <div>
          <dt>Your use</dt>
          <dd>
            {formatInt(mine?.used ?? 0)}{' '}
            {team.monthly_token_cap === null ? 'tokens (no cap of your own)' : `of your cap of ${formatInt(team.monthly_token_cap)}`}
          </dd>
        </div>
        {usage ? (
          <div>
            <dt>Resets on</dt>
            <dd>{formatDate(usage.resets_at)}</dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}
