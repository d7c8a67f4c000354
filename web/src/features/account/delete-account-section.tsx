// Settings > Delete account: asks for the password; conversations, keys and sessions go at once.
// An owner of teams others use is refused (409 ACCOUNT_OWNS_TEAMS) until they hand each over or
// delete it: the refusal names them, each linked to its page.
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../../components/error-note';
import { Field } from '../../components/field';
import { ApiError } from '../../lib/problem';
import { Link, navigate } from '../../lib/router';
import { useDeleteAccount } from './account-api';

export function DeleteAccountSection() {
  const remove = useDeleteAccount();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const owned = ownedTeams(remove.error);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFieldError(undefined);
    try {
      await remove.mutateAsync(password);
      navigate('/login?notice=account-deleted', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'INVALID_CREDENTIALS') setFieldError(err.message);
    }
  }

  return (
    <section className="card danger-zone" aria-labelledby="delete-account-title">
      <h2 id="delete-account-title">Delete account</h2>
      <p className="muted">
        Deletes your conversations, API keys and sessions for good. Token counts of past use stay in the operator's accounting, no longer linked to you; this
        address can sign up again from the start of next month.
      </p>
      {open ? (
        <form onSubmit={(e) => void submit(e)} noValidate className="stack password-form">
          <Field
            label="Your password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fieldError}
          />
          {owned ? (
            <OwnedTeamsNote teams={owned} />
          ) : (
            <ErrorNote error={remove.error instanceof ApiError && remove.error.code === 'INVALID_CREDENTIALS' ? null : remove.error} />
          )}
          <div className="row-actions">
            <button type="submit" className="button danger" disabled={remove.isPending || !password}>
              Delete my account
            </button>
            <button type="button" className="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div>
          <button type="button" className="button danger" onClick={() => setOpen(true)}>
            Delete account…
          </button>
        </div>
      )}
    </section>
  );
}

type OwnedTeam = { id: string; name: string };

/** The teams named by a 409 ACCOUNT_OWNS_TEAMS, or undefined for any other outcome. */
function ownedTeams(error: unknown): OwnedTeam[] | undefined {
  if (!(error instanceof ApiError) || error.code !== 'ACCOUNT_OWNS_TEAMS') return undefined;
  const teams = error.problem['teams'];
  return Array.isArray(teams) ? (teams as OwnedTeam[]) : [];
}

function OwnedTeamsNote({ teams }: { teams: OwnedTeam[] }) {
  return (
    <div className="error-note owned-teams" role="alert">
      <p>Your account was not deleted: you own teams that other people use. Hand each over to a member, or delete it, first:</p>
      <ul>
        {teams.map((t) => (
          <li key={t.id}>
            <Link to={`/teams/${encodeURIComponent(t.id)}`}>{t.name}</Link>
          </li>
        ))}
      </ul>
      <p>
        <Link to="/teams">Go to your teams</Link>
      </p>
    </div>
  );
}
