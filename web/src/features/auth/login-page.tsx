import { useSession, useSessionStore } from '../../lib/app-context';
import { Link, navigate, safeNextPath, useLocation } from '../../lib/router';
import { SsoSignIn, useSsoInfo } from '../sso/sso-sign-in';
import { AuthForm } from './auth-form';

/** What the page says after the reset page or a deletion sent the person here. */
const NOTICES: Partial<Record<string, string>> = {
  'password-reset': 'Your password is changed and every device was signed out. Log in with the new password.',
  'account-deleted': 'Your account has been deleted.',
};

export function LoginPage() {
  const session = useSessionStore();
  const { ended } = useSession();
  const { search } = useLocation();
  const next = safeNextPath(search.get('next'));
  const nextQuery = next === '/' ? '' : `?next=${encodeURIComponent(next)}`;
  const sso = useSsoInfo();

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
        ) : NOTICES[search.get('notice') ?? ''] ? (
          <p className="notice success" role="status">
            {NOTICES[search.get('notice') ?? '']}
          </p>
        ) : null
      }
      afterPassword={<Link to="/forgot-password">Forgot password?</Link>}
      onSubmit={async (email, password) => {
        await session.login(email, password);
        navigate(next, { replace: true });
      }}
      afterSubmit={<SsoSignIn provider={sso?.provider} />}
      footer={
        (sso?.password_sign_up ?? true) ? (
          <>
            New here? <Link to={`/register${nextQuery}`}>Create an account</Link>
          </>
        ) : null
      }
    />
  );
}
