import { useSessionStore } from '../../lib/app-context';
import { Link, navigate, safeNextPath, useLocation } from '../../lib/router';
import { AuthForm } from './auth-form';

/** Sign-up, then where the person was going (`?next=`, as on the log-in page: an invitation's page, say). */
export function RegisterPage() {
  const session = useSessionStore();
  const { search } = useLocation();
  const next = safeNextPath(search.get('next'));
  const nextQuery = next === '/' ? '' : `?next=${encodeURIComponent(next)}`;
  return (
    <AuthForm
      title="Create your account"
      submitLabel="Sign up"
      passwordAutoComplete="new-password"
      passwordHint="At least 8 characters, not a common password."
      onSubmit={async (email, password) => {
        await session.register(email, password);
        navigate(next, { replace: true });
      }}
      footer={
        <>
          Already have an account? <Link to={`/login${nextQuery}`}>Log in</Link>
        </>
      }
    />
  );
}
