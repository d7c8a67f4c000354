// Personal API keys for the OpenAI-compatible API (/v1): create one (its secret is shown once,
// the server keeps only a hash), see when each was last used, revoke one.
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { DataTable, type Column } from '../../components/data-table';
import { ErrorNote } from '../../components/error-note';
import { Field } from '../../components/field';
import { Icon } from '../../components/icon';
import { formatDate, formatDateTime } from '../../lib/format';
import { ApiError } from '../../lib/problem';
import type { ApiKey, CreatedApiKey } from '../../lib/types';
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from './settings-api';

export function ApiKeysSection() {
  const keys = useApiKeys();
  const revokeKey = useRevokeApiKey();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
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
    { header: 'Name', cell: (k) => k.name, rowHeader: true },
    { header: 'Key', cell: (k) => <code>{k.prefix}…</code> },
    { header: 'Created', cell: (k) => formatDate(k.created_at) },
    { header: 'Last used', cell: (k) => (k.last_used_at ? formatDateTime(k.last_used_at) : 'Never') },
    {
      header: <span className="visually-hidden">Actions</span>,
      cell: (k) => (
        <button type="button" className="button small" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
          Revoke
        </button>
      ),
    },
  ];

  return (
    <section className="card" aria-labelledby="api-keys-title">
      <h2 id="api-keys-title">API keys</h2>
      <p className="muted">
        For programs: any OpenAI client works with the base URL <code>{`${window.location.origin}/v1`}</code> and a key below. Their calls count towards this
        account's monthly tokens like chats do.
      </p>
      <CreateKeyForm onCreated={setCreated} />
      {created ? <NewKey value={created.key} name={created.name} onDone={() => setCreated(null)} /> : null}
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

function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFieldError(undefined);
    setError(null);
    if (!name.trim()) {
      setFieldError('Give the key a name, e.g. the program that will use it.');
      return;
    }
    try {
      onCreated(await create.mutateAsync(name.trim()));
      setName('');
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) setFieldError(err.fieldErrors()['name'] ?? err.message);
      else setError(err);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="api-key-form">
      <Field label="Key name" value={name} onChange={(e) => setName(e.target.value)} error={fieldError} maxLength={100} placeholder="e.g. my-script" />
      <button type="submit" className="button primary" disabled={create.isPending}>
        <Icon name="plus" /> Create key
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

/** The new key's secret, shown this once. */
function NewKey({ value, name, onDone }: { value: string; name: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard access: the key stays on screen to select by hand
    }
  }
  return (
    <div className="notice new-key" role="status">
      <p>
        <strong>{name}</strong>: copy this key now. It is not shown again.
      </p>
      <div className="new-key-value">
        <code aria-label="New API key">{value}</code>
        <button type="button" className="button small" onClick={() => void copy()}>
          <Icon name={copied ? 'check' : 'copy'} size={14} /> {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="button ghost small" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
