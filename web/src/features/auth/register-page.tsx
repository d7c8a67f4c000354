import { useSessionStore } from '../../lib/app-context';
import { Link, navigate } from '../../lib/router';
import { AuthForm } from './auth-form';

export function RegisterPage() {
  const session = useSessionStore();
  return (
    <AuthForm
      title="Create your account"
      submitLabel="Sign up"
      passwordAutoComplete="new-password"
      passwordHint="At least 8 characters, not a common password."
      onSubmit={async (email, password) => {
        await session.register(email, password);
        navigate('/', { replace: true });
      }}
      footer={
        <>
          Already have an account? <Link to="/login">Log in</Link>
        </>
      }
    />
  );
}
