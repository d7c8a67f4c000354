// The shared log-in / sign-up form. Field errors come from the server's 422 issues (its words,
// not its codes); other failures show the problem's detail above the button.
import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNote } from '../../components/error-note';
import { Field } from '../../components/field';
import { ApiError, errorMessage } from '../../lib/problem';

interface AuthFormProps {
  title: string;
  submitLabel: string;
  passwordAutoComplete: 'current-password' | 'new-password';
  passwordHint?: string;
  notice?: ReactNode;
  /** Under the password field (the log-in page's "Forgot password?"). */
  afterPassword?: ReactNode;
  /** Under the submit button (the log-in page's single sign-on button). */
  afterSubmit?: ReactNode;
  footer: ReactNode;
  onSubmit: (email: string, password: string) => Promise<unknown>;
}

export function AuthForm({ title, submitLabel, passwordAutoComplete, passwordHint, notice, afterPassword, afterSubmit, footer, onSubmit }: AuthFormProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFields({});
    setError(null);
    try {
      await onSubmit(email.trim(), password);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.problem.issues?.length) {
        const f = err.fieldErrors();
        setFields(f);
        const general = f['_'] ?? (!f['email'] && !f['password'] ? err.message : null);
        setError(general);
      } else if (err instanceof ApiError && err.code === 'PASSWORD_TOO_WEAK') {
        setFields({ password: err.message });
      } else if (err instanceof ApiError && (err.code === 'EMAIL_TAKEN' || err.code === 'EMAIL_RECENTLY_DELETED')) {
        setFields({ email: err.message });
      } else {
        setError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="auth-title">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark" /> Quota Chat
        </div>
        <h1 id="auth-title">{title}</h1>
        {notice}
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fields['email']}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete={passwordAutoComplete}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fields['password']}
          hint={passwordHint}
        />
        {afterPassword ? <p className="auth-after-password">{afterPassword}</p> : null}
        <ErrorNote error={error} />
        <button type="submit" className="button primary wide" disabled={busy}>
          {busy ? 'Please wait…' : submitLabel}
        </button>
        {afterSubmit}
        {footer ? <p className="auth-footer">{footer}</p> : null}
      </form>
    </main>
  );
}
