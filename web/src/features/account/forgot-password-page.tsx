// "Forgot password?": asks for the email and says the same whatever the server knows of it.
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../../components/error-note';
import { Field } from '../../components/field';
import { ApiError } from '../../lib/problem';
import { Link } from '../../lib/router';
import { useAuthOptions, usePublicPost } from './account-api';
import { AccountCard } from './account-card';

export function ForgotPasswordPage() {
  const options = useAuthOptions();
  const post = usePublicPost();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFieldError(undefined);
    setError(null);
    setBusy(true);
    try {
      await post('/api/auth/password-reset', { email: email.trim() });
      setSent(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) setFieldError(err.fieldErrors()['email'] ?? err.message);
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (options.data && !options.data.password_reset_available) {
    return (
      <AccountCard title="Reset your password" footer={<Link to="/login">Back to log in</Link>}>
        <p>This server cannot send mail, so passwords cannot be reset here. Ask your administrator.</p>
      </AccountCard>
    );
  }
  return (
    <AccountCard title="Reset your password" footer={<Link to="/login">Back to log in</Link>}>
      {sent ? (
        <p className="notice success" role="status">
          If an account has the email {email.trim()}, a link to reset its password is on its way. It works once, for a limited time.
        </p>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate className="stack">
          <p className="muted">Enter the email you signed up with; we will mail you a link to choose a new password.</p>
          <Field label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError} />
          <ErrorNote error={error} />
          <button type="submit" className="button primary wide" disabled={busy || !email.trim()}>
            {busy ? 'Please wait…' : 'Send the link'}
          </button>
        </form>
      )}
    </AccountCard>
  );
}
