// Settings: the theme, the default instructions of new conversations, changing the password (which signs out every other session), API keys for
// programs, the sessions of the account, and deleting it.
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../../components/error-note';
import { Field } from '../../components/field';
import { useSession } from '../../lib/app-context';
import { capitalize, formatDate } from '../../lib/format';
import { ApiError, errorMessage } from '../../lib/problem';
import { setTheme, useTheme, type ThemeChoice } from '../../lib/theme';
import { DeleteAccountSection } from '../account/delete-account-section';
import { SessionsSection } from '../account/sessions-section';
import { SubscriptionCard } from '../billing/subscription-facts';
import { InstructionsSection } from '../instructions/instructions-section';
import { ApiKeysSection } from './api-keys-section';
import { useChangePassword } from './settings-api';

export function SettingsPage() {
  const { user } = useSession();
  return (
    <main className="page">
      <h1>Settings</h1>
      <section className="card" aria-labelledby="account-title">
        <h2 id="account-title">Account</h2>
        <dl className="facts">
          <div>
            <dt>Email</dt>
            <dd>{user?.email}</dd>
          </div>
          <div>
            <dt>Tier</dt>
            <dd>{user ? capitalize(user.tier) : ''}</dd>
          </div>
          <div>
            <dt>Member since</dt>
            <dd>{user ? formatDate(user.created_at) : ''}</dd>
          </div>
        </dl>
      </section>
      <SubscriptionCard />
      <ThemeSection />
      <InstructionsSection />
      <PasswordSection />
      <ApiKeysSection />
      <SessionsSection />
      <DeleteAccountSection />
    </main>
  );
}

function ThemeSection() {
  const theme = useTheme();
  const options: { value: ThemeChoice; label: string }[] = [
    { value: 'system', label: 'Same as the system' },
    { value: 'light', label: 'Light' },
    { value: 'dark', label: 'Dark' },
  ];
  return (
    <section className="card" aria-labelledby="theme-title">
      <h2 id="theme-title">Appearance</h2>
      <fieldset className="radio-group">
        <legend>Theme</legend>
        {options.map((o) => (
          <label key={o.value}>
            <input type="radio" name="theme" value={o.value} checked={theme === o.value} onChange={() => setTheme(o.value)} /> {o.label}
          </label>
        ))}
      </fieldset>
    </section>
  );
}

function PasswordSection() {
  const changePassword = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const busy = changePassword.isPending;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFields({});
    setError(null);
    setDone(false);
    if (next !== confirm) {
      setFields({ confirm: 'The two new passwords differ.' });
      return;
    }
    try {
      await changePassword.mutateAsync({ current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'INVALID_CREDENTIALS') setFields({ current: err.message });
      else if (err instanceof ApiError && err.code === 'PASSWORD_TOO_WEAK') setFields({ next: err.message });
      else if (err instanceof ApiError && err.status === 422) {
        const f = err.fieldErrors();
        setFields({ current: f['current_password'] ?? '', next: f['new_password'] ?? '' });
        if (!f['current_password'] && !f['new_password']) setError(err.message);
      } else setError(errorMessage(err));
    }
  }

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <form onSubmit={(e) => void submit(e)} noValidate className="stack password-form">
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={fields['current'] || undefined}
          required
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          error={fields['next'] || undefined}
          hint="At least 8 characters, not a common password."
          required
        />
        <Field
          label="Repeat the new password"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={fields['confirm'] || undefined}
          required
        />
        <ErrorNote error={error} />
        {done ? (
          <p className="notice success" role="status">
            Password changed. Other devices have been signed out.
          </p>
        ) : null}
        <div>
          <button type="submit" className="button primary" disabled={busy || !current || !next}>
            Change password
          </button>
        </div>
      </form>
    </section>
  );
}
