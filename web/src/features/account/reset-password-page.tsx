// The page a reset mail links to: choose a new password; then every session has ended, so log in.
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../../components/error-note';
import { Field } from '../../components/field';
import { ApiError } from '../../lib/problem';
import { Link, navigate } from '../../lib/router';
import { usePublicPost } from './account-api';
import { AccountCard } from './account-card';
import { useMailedToken } from './mailed-token';

export function ResetPasswordPage() {
  const token = useMailedToken();
  const post = usePublicPost();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFields({});
    setError(null);
    if (password !== confirm) return setFields({ confirm: 'The two passwords differ.' });
    setBusy(true);
    try {
      await post('/api/auth/password-reset/confirm', { token, password });
      navigate('/login?notice=password-reset', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'PASSWORD_TOO_WEAK' || err.status === 422)) {
        setFields({ password: err.fieldErrors()['password'] ?? err.message });
      } else setError(err);
    } finally {
      setBusy(false);
    }
  }

  const footer = <Link to="/forgot-password">Ask for a new link</Link>;
  if (!token) {
    return (
      <AccountCard title="Choose a new password" footer={footer}>
        <p>This page needs the link from the reset mail. Open the link from the mail, or ask for a new one.</p>
      </AccountCard>
    );
  }
  return (
    <AccountCard title="Choose a new password" footer={footer}>
      <form onSubmit={(e) => void submit(e)} noValidate className="stack">
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fields['password']}
          hint="At least 8 characters, not a common password."
        />
        <Field
          label="Repeat the new password"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={fields['confirm']}
        />
        <ErrorNote error={error} />
        <button type="submit" className="button primary wide" disabled={busy || !password}>
          {busy ? 'Please wait…' : 'Set the new password'}
        </button>
        <p className="muted">This signs the account out on every device.</p>
      </form>
    </AccountCard>
  );
}
