// Personal API keys for the OpenAI-compatible API (/v1): create one (its secret is shown once,
// the server keeps only a hash), give it a monthly token cap and an expiry, see what it used this
// month and when it was last used, change its limits, revoke one. A key may charge one of the
// user's teams instead of their own plan (docs/decisions/021).
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { CopyValue } from '../../components/copy-value';
import { DataTable, type Column } from '../../components/data-table';
import { ErrorNote } from '../../components/error-note';
import { Field } from '../../components/field';
import { Icon } from '../../components/icon';
import { formatDate, formatDateTime, formatInt } from '../../lib/format';
import { ApiError } from '../../lib/problem';
import type { ApiKey, CreatedApiKey, Team } from '../../lib/types';
import { PlanOptions } from '../teams/plan-picker';
import { useTeams } from '../teams/teams-api';
import { useApiKeys, useCreateApiKey, useRevokeApiKey, useUpdateApiKey } from './settings-api';

export function ApiKeysSection() {
  const keys = useApiKeys();
  const teams = useTeams().data ?? [];
  const revokeKey = useRevokeApiKey();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [editing, setEditing] = useState<ApiKey | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function revoke(key: ApiKey) {
    setRevoking(null);
    setError(null);
    try {
      await revokeKey.mutateAsync(key.id);
      if (created?.id === key.id) setCreated(null);
    } catch (err) {
      setError(err);
    }
  }

  const columns: Column<ApiKey>[] = [
    { header: 'Name', cell: (k) => <KeyName apiKey={k} teams={teams} />, rowHeader: true },
    { header: 'Key', cell: (k) => <code>{k.prefix}…</code> },
    { header: 'This month', cell: (k) => usedOf(k) },
    { header: 'Expires', cell: (k) => expiryOf(k) },
    { header: 'Last used', cell: (k) => (k.last_used_at ? formatDateTime(k.last_used_at) : 'Never') },
    {
      header: <span className="visually-hidden">Actions</span>,
      cell: (k) => (
        <span className="row-actions">
          <button type="button" className="button small" onClick={() => setEditing(k)} aria-label={`Edit limits of ${k.name}`}>
            Limits
          </button>
          <button type="button" className="button small" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
            Revoke
          </button>
        </span>
      ),
    },
  ];

  return (
    <section className="card" aria-labelledby="api-keys-title">
      <h2 id="api-keys-title">API keys</h2>
      <p className="muted">
        For programs: any OpenAI client works with the base URL <code>{`${window.location.origin}/v1`}</code> and a key below. Their calls count towards this
        account's monthly tokens like chats do; a key's own cap keeps one program from using them all.
      </p>
      <CreateKeyForm onCreated={setCreated} teams={teams} />
      {created ? <NewKey value={created.key} name={created.name} onDone={() => setCreated(null)} /> : null}
      {editing ? <EditLimitsForm key={editing.id} apiKey={editing} onDone={() => setEditing(null)} /> : null}
      <ErrorNote error={error ?? keys.error} />
      {keys.data ? (
        <DataTable columns={columns} rows={keys.data.items} rowKey={(k) => k.id} className="api-keys" caption="Your API keys" empty="No API keys yet." />
      ) : null}
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this key?"
        message={`Programs using "${revoking?.name ?? ''}" stop working at once. This cannot be undone.`}
        confirmLabel="Revoke"
        danger
        onConfirm={() => revoking && void revoke(revoking)}
        onCancel={() => setRevoking(null)}
      />
    </section>
  );
}

/** The key's name, and the team it charges if any. */
function KeyName({ apiKey, teams }: { apiKey: ApiKey; teams: readonly Team[] }) {
  if (!apiKey.team_id) return apiKey.name;
  const team = teams.find((t) => t.id === apiKey.team_id);
  return (
    <>
      {apiKey.name}
      <span className="badge">{team ? `Team: ${team.name}` : 'Team'}</span>
    </>
  );
}

function usedOf(k: ApiKey): string {
  const used = formatInt(k.used_tokens);
  return k.monthly_token_cap === null ? `${used} tokens` : `${used} of ${formatInt(k.monthly_token_cap)}`;
}

function expiryOf(k: ApiKey): string {
  if (!k.expires_at) return 'No expiry';
  return new Date(k.expires_at).getTime() <= Date.now() ? `Expired ${formatDate(k.expires_at)}` : formatDate(k.expires_at);
}

/** The form's limit fields as the API takes them: an empty cap is none; a date expires at its end (UTC). */
function limitsOf(cap: string, expires: string) {
  return {
    monthly_token_cap: cap.trim() === '' ? null : Number(cap),
    expires_at: expires === '' ? null : `${expires}T23:59:59Z`,
  };
}

/** Problems the server found, by field, or undefined for a refusal of another kind. */
function fieldProblems(err: unknown): Record<string, string> | undefined {
  return err instanceof ApiError && err.status === 422 ? err.fieldErrors() : undefined;
}

function LimitFields({ cap, expires, onCap, onExpires, errors }: LimitFieldsProps) {
  return (
    <>
      <Field
        label="Monthly token cap"
        inputMode="numeric"
        value={cap}
        onChange={(e) => onCap(e.target.value)}
        error={errors['monthly_token_cap']}
        hint="Empty: only your plan's limits."
        placeholder="e.g. 100000"
      />
      <Field label="Expires on" type="date" value={expires} onChange={(e) => onExpires(e.target.value)} error={errors['expires_at']} hint="Empty: never." />
    </>
  );
}

interface LimitFieldsProps {
  cap: string;
  expires: string;
  onCap: (v: string) => void;
  onExpires: (v: string) => void;
  errors: Record<string, string | undefined>;
}

/** The cap must be a whole number; the server checks the rest (a date in the past, the range). */
function capError(cap: string): string | undefined {
  return cap.trim() === '' || /^\d+$/.test(cap.trim()) ? undefined : 'Use a whole number of tokens, or leave it empty.';
}

function CreateKeyForm({ onCreated, teams }: { onCreated: (key: CreatedApiKey) => void; teams: readonly Team[] }) {
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [teamId, setTeamId] = useState('');
  const [cap, setCap] = useState('');
  const [expires, setExpires] = useState('');
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setError(null);
    const found = { name: name.trim() ? undefined : 'Give the key a name, e.g. the program that will use it.', monthly_token_cap: capError(cap) };
    if (found.name || found.monthly_token_cap) {
      setErrors(found);
      return;
    }
    try {
      onCreated(await create.mutateAsync({ name: name.trim(), ...limitsOf(cap, expires), ...(teamId ? { team_id: teamId } : {}) }));
      setName('');
      setCap('');
      setExpires('');
    } catch (err) {
      const fields = fieldProblems(err);
      if (fields) setErrors(Object.keys(fields).length ? fields : { name: (err as ApiError).message });
      else setError(err);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="api-key-form">
      <Field label="Key name" value={name} onChange={(e) => setName(e.target.value)} error={errors['name']} maxLength={100} placeholder="e.g. my-script" />
      <LimitFields cap={cap} expires={expires} onCap={setCap} onExpires={setExpires} errors={errors} />
      {teams.length > 0 ? (
        <div className="field">
          <label htmlFor="key-plan">Charged to</label>
          <select id="key-plan" value={teamId} onChange={(e) => setTeamId(e.target.value)}>
            <PlanOptions teams={teams} />
          </select>
          {errors['team_id'] ? <p className="field-error">{errors['team_id']}</p> : null}
        </div>
      ) : null}
      <button type="submit" className="button primary" disabled={create.isPending}>
        <Icon name="plus" /> Create key
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

/** Changes one key's cap and expiry; calls already running keep what they reserved. */
function EditLimitsForm({ apiKey, onDone }: { apiKey: ApiKey; onDone: () => void }) {
  const update = useUpdateApiKey();
  const [cap, setCap] = useState(apiKey.monthly_token_cap === null ? '' : String(apiKey.monthly_token_cap));
  const [expires, setExpires] = useState(apiKey.expires_at ? apiKey.expires_at.slice(0, 10) : '');
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setError(null);
    const wrongCap = capError(cap);
    if (wrongCap) {
      setErrors({ monthly_token_cap: wrongCap });
      return;
    }
    try {
      await update.mutateAsync({ id: apiKey.id, ...limitsOf(cap, expires) });
      onDone();
    } catch (err) {
      const fields = fieldProblems(err);
      if (fields) setErrors(fields);
      else setError(err);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="api-key-form notice" aria-label={`Limits of ${apiKey.name}`}>
      <p className="api-key-form-title">
        Limits of <strong>{apiKey.name}</strong>
      </p>
      <LimitFields cap={cap} expires={expires} onCap={setCap} onExpires={setExpires} errors={errors} />
      <button type="submit" className="button primary" disabled={update.isPending}>
        Save
      </button>
      <button type="button" className="button ghost" onClick={onDone}>
        Cancel
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

/** The new key's secret, shown this once. */
function NewKey({ value, name, onDone }: { value: string; name: string; onDone: () => void }) {
  return (
    <div className="notice new-key" role="status">
      <p>
        <strong>{name}</strong>: copy this key now. It is not shown again.
      </p>
      <CopyValue value={value} label="New API key">
        <button type="button" className="button ghost small" onClick={onDone}>
          Done
        </button>
      </CopyValue>
    </div>
  );
}
