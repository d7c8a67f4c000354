import { useSession, useSessionStore } from '../../lib/app-context';
import { Link, navigate, safeNextPath, useLocation } from '../../lib/router';
import { AuthForm } from './auth-form';

export function LoginPage() {
  const session = useSessionStore();
  const { ended } = useSession();
  const { search } = useLocation();
  const next = safeNextPath(search.get('next'));
  const nextQuery = next === '/' ? '' : `?next=${encodeURIComponent(next)}`;

  return (
    <AuthForm
      title="Log in"
      submitLabel="Log in"
      passwordAutoComplete="current-password"
      notice={
        ended === 'expired' ? (
          <p className="notice" role="status">
            Your session has ended; log in again. Your unsent message is kept.
          </p>
        ) : null
      }
      onSubmit={async (email, password) => {
        await session.login(email, password);
        navigate(next, { replace: true });
      }}
      footer={
        <>
          New here? <Link to={`/register${nextQuery}`}>Create an account</Link>
        </>
      }
    />
  );
}
