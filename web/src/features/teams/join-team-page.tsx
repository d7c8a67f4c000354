// The page an invitation links to (/teams/join#token=..., teams.service.ts's inviteLink). Signed in,
// it joins the team at once. Signed out, it keeps the token for this tab only (sessionStorage: never
// in a URL the server or a sign-in provider would see) and sends the person to log in (or sign up),
// who comes back here to join.
import { useEffect, useRef, useState } from 'react';
import { ErrorNote } from '../../components/error-note';
import { useSession } from '../../lib/app-context';
import { Link, navigate } from '../../lib/router';
import { readLocal, writeLocal } from '../../lib/storage';
import type { Team } from '../../lib/types';
import { AccountCard } from '../account/account-card';
import { useMailedToken } from '../account/mailed-token';
import { useJoinTeam } from './teams-api';

const JOIN_PATH = '/teams/join';
const PENDING = 'qc:team-invitation';

export function JoinTeamPage() {
  const { status, user } = useSession();
  const mailed = useMailedToken();
  const [token] = useState(() => mailed ?? readLocal(PENDING, 'session'));
  const join = useJoinTeam();
  const [joined, setJoined] = useState<Team | null>(null);
  const sent = useRef(false);

  useEffect(() => {
    if (!token) return;
    if (status === 'anonymous') {
      writeLocal(PENDING, token, 'session');
      navigate(`/login?next=${encodeURIComponent(JOIN_PATH)}`, { replace: true });
    } else if (status === 'authenticated' && !sent.current) {
      sent.current = true; // once: the link works once, and React may run this effect twice
      writeLocal(PENDING, null, 'session');
      join.mutateAsync(token).then(setJoined, () => undefined); // a refusal is shown from join.error
    }
  }, [token, status, join]);

  const footer = status === 'authenticated' ? <Link to="/teams">Your teams</Link> : <Link to="/login">Log in</Link>;
  return (
    <AccountCard title="Join a team" footer={footer}>
      {!token ? <p>This page needs the link from an invitation.</p> : null}
      {token && !joined && !join.error ? <p role="status">Joining…</p> : null}
      {joined ? (
        <div className="notice success" role="status">
          <p>
            You are now {joined.role === 'admin' ? 'an admin' : 'a member'} of <strong>{joined.name}</strong>: pick it under Plan in the chat to use its pool.
          </p>
          <p>
            <Link to={`/teams/${encodeURIComponent(joined.id)}`}>Open {joined.name}</Link>
          </p>
        </div>
      ) : null}
      {join.error ? (
        <>
          <ErrorNote error={join.error} />
          <p className="muted">
            An invitation works once, for the address it was sent to; you are signed in as {user?.email}. Ask the team for a new one if it has expired.
          </p>
        </>
      ) : null}
    </AccountCard>
  );
}
