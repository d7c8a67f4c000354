// The page a verification mail links to: confirms the address, signed in or not.
import { useEffect, useRef, useState } from 'react';
import { ErrorNote } from '../../components/error-note';
import { useSession, useSessionStore } from '../../lib/app-context';
import { Link } from '../../lib/router';
import { usePublicPost } from './account-api';
import { AccountCard } from './account-card';
import { useMailedToken } from './mailed-token';

export function VerifyEmailPage() {
  const token = useMailedToken();
  const post = usePublicPost();
  const [state, setState] = useState<'working' | 'done' | { error: unknown }>('working');
  const session = useSessionStore();
  const { status } = useSession();
  const sent = useRef(false);

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true; // once: the link works once, and React may run this effect twice
    post('/api/auth/verify-email', { token })
      .then(async () => {
        setState('done');
        // A signed-in tab picks up the verified account (and loses its banner) with a refresh.
        if (session.getState().status === 'authenticated') await session.refresh();
      })
      .catch((error: unknown) => setState({ error }));
  }, [token, session, post]);

  const footer = status === 'authenticated' ? <Link to="/">Go to the chat</Link> : <Link to="/login">Log in</Link>;
  return (
    <AccountCard title="Confirm your email" footer={footer}>
      {!token ? <p>This page needs the link from the confirmation mail.</p> : null}
      {token && state === 'working' ? <p role="status">Confirming…</p> : null}
      {state === 'done' ? (
        <p className="notice success" role="status">
          Your email is confirmed. You can chat now.
        </p>
      ) : null}
      {typeof state === 'object' ? <ErrorNote error={state.error} /> : null}
    </AccountCard>
  );
}
