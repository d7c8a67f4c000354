// Administration: every user with their tier, role, status (a deactivation is confirmed first,
// every change is confirmed after) and this month's usage; totals for a month by tier, model and
// day. The server enforces the admin role on every call; this page is only hidden from others.
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { DataTable, type Column } from '../../components/data-table';
import { ErrorNote } from '../../components/error-note';
import { MonthSelect } from '../../components/month-select';
import { useSession } from '../../lib/app-context';
import { capitalize, formatInt, formatUsd, monthOf } from '../../lib/format';
import { TIER_NAMES, type AdminUsage, type AdminUser, type AdminUserPatch, type TierName } from '../../lib/types';
import { useDebounced } from '../../lib/use-debounced';
import { UsageChart } from '../usage/usage-chart';
import { meterState } from '../usage/usage-meter';
import { PAGE_SIZE, useAdminUsage, useAdminUsers, useUpdateUser } from './admin-api';

export function AdminPage() {
  return (
    <main className="page wide">
      <h1>Administration</h1>
      <UsersSection />
      <TotalsSection />
    </main>
  );
}

function UsersSection() {
  const { user: me } = useSession();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  // An offset belongs to the search it pages through: a new search starts at the first page.
  const [page, setPage] = useState({ q, offset: 0 });
  const offset = page.q === q ? page.offset : 0;
  const setOffset = (next: number) => setPage({ q, offset: next });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState('');
  const [deactivating, setDeactivating] = useState<AdminUser | null>(null);
  const users = useAdminUsers(q, offset);
  const updateUser = useUpdateUser();

  /** Saves one change; what was saved (or why not) is said where a screen reader hears it. */
  async function update(user: AdminUser, body: AdminUserPatch) {
    setError(null);
    setSaved('');
    try {
      await updateUser.mutateAsync({ id: user.id, ...body });
      setSaved(`Saved: ${savedChange(user.email, body)}.`);
    } catch (err) {
      setError(err);
    }
  }

  const isMe = (u: AdminUser) => u.id === me?.id;
  const columns: Column<AdminUser>[] = [
    {
      header: 'Email',
      rowHeader: true,
      className: 'email-cell',
      cell: (u) => (
        <>
          {u.email}
          {isMe(u) ? <span className="badge">you</span> : null}
        </>
      ),
    },
    {
      header: 'Tier',
      cell: (u) => (
        <select aria-label={`Tier of ${u.email}`} value={u.tier} onChange={(e) => void update(u, { tier: e.target.value as TierName })}>
          {TIER_NAMES.map((t) => (
            <option key={t} value={t}>
              {capitalize(t)}
            </option>
          ))}
        </select>
      ),
    },
    {
      header: 'Role',
      cell: (u) => (
        <select
          aria-label={`Role of ${u.email}`}
          value={u.role}
          disabled={isMe(u)}
          onChange={(e) => void update(u, { role: e.target.value as AdminUser['role'] })}
        >
          <option value="user">User</option>
          <option value="admin">Admin</option>
        </select>
      ),
    },
    {
      header: 'Status',
      cell: (u) => (
        <div className="status-cell">
          <span>{u.is_active ? 'Active' : 'Deactivated'}</span>
          {isMe(u) ? null : u.is_active ? (
            <button type="button" className="button small" aria-label={`Deactivate ${u.email}`} onClick={() => setDeactivating(u)}>
              Deactivate
            </button>
          ) : (
            <button type="button" className="button small" aria-label={`Reactivate ${u.email}`} onClick={() => void update(u, { is_active: true })}>
              Reactivate
            </button>
          )}
        </div>
      ),
    },
    { header: 'Usage this month', cell: (u) => <MiniMeter used={u.usage.used} limit={u.usage.limit} /> },
  ];

  const total = users.data?.total ?? 0;
  return (
    <section className="card" aria-labelledby="users-title">
      <div className="page-head">
        <h2 id="users-title">Users</h2>
        <div className="inline-field">
          <label htmlFor="user-search">Search users</label>
          <input id="user-search" type="search" value={search} placeholder="Email contains…" onChange={(e) => setSearch(e.target.value)} />
        </div>
      </div>
      <ErrorNote error={error} />
      <p role="status" className="save-status">
        {saved}
      </p>
      {users.isError ? <ErrorNote error={users.error} /> : null}
      <DataTable
        className="users-table"
        columns={columns}
        rows={users.data?.items ?? []}
        rowKey={(u) => u.id}
        rowProps={(u) => ({ className: u.is_active ? undefined : 'inactive' })}
        empty={users.data ? 'No user matches.' : null}
      />
      <div className="row pager">
        <span className="muted">{total ? `${offset + 1}–${Math.min(offset + PAGE_SIZE, total)} of ${formatInt(total)}` : ''}</span>
        <button type="button" className="button small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
          Previous
        </button>
        <button type="button" className="button small" disabled={offset + PAGE_SIZE >= total} onClick={() => setOffset(offset + PAGE_SIZE)}>
          Next
        </button>
      </div>
      <ConfirmDialog
        open={deactivating !== null}
        title="Deactivate this user?"
        message={`${deactivating?.email ?? ''} will be signed out everywhere, and their API keys stop working, until an admin reactivates the account. Their conversations and usage are kept.`}
        confirmLabel="Deactivate"
        danger
        onCancel={() => setDeactivating(null)}
        onConfirm={() => {
          const target = deactivating;
          setDeactivating(null);
          if (target) void update(target, { is_active: false });
        }}
      />
    </section>
  );
}

function savedChange(email: string, body: AdminUserPatch): string {
  if (body.is_active === false) return `${email} is deactivated and signed out everywhere`;
  if (body.is_active === true) return `${email} is active again`;
  if (body.tier) return `${email} is on the ${capitalize(body.tier)} tier`;
  if (body.role) return `${email} is ${body.role === 'admin' ? 'an admin' : 'a user'}`;
  return `${email} is updated`;
}

const TIER_COLUMNS: Column<AdminUsage['by_tier'][number]>[] = [
  { header: 'Tier', rowHeader: true, cell: (t) => capitalize(t.tier) },
  { header: 'Users', numeric: true, cell: (t) => formatInt(t.users) },
  { header: 'Teams', numeric: true, cell: (t) => formatInt(t.teams) },
  { header: 'Tokens', numeric: true, cell: (t) => formatInt(t.total_tokens) },
];

const MODEL_COLUMNS: Column<AdminUsage['by_model'][number]>[] = [
  { header: 'Model', rowHeader: true, cell: (m) => m.model },
  { header: 'Requests', numeric: true, cell: (m) => formatInt(m.requests) },
  { header: 'Tokens', numeric: true, cell: (m) => formatInt(m.total_tokens) },
  { header: 'Cost', numeric: true, cell: (m) => formatUsd(m.cost_usd) },
];

function TotalsSection() {
  const [month, setMonth] = useState(() => monthOf(new Date()));
  const usage = useAdminUsage(month);
  const u = usage.data;
  return (
    <section className="card" aria-labelledby="totals-title">
      <div className="page-head">
        <h2 id="totals-title">Totals</h2>
        <MonthSelect id="totals-month" value={month} onChange={setMonth} />
      </div>
      {usage.isError ? <ErrorNote error={usage.error} /> : null}
      {u ? (
        <>
          <dl className="facts stats">
            <div>
              <dt>Tokens</dt>
              <dd>{formatInt(u.totals.total_tokens)}</dd>
            </div>
            <div>
              <dt>Requests</dt>
              <dd>{formatInt(u.totals.requests)}</dd>
            </div>
            <div>
              <dt>Cost</dt>
              <dd>{formatUsd(u.totals.cost_usd)}</dd>
            </div>
          </dl>
          <UsageChart month={u.month} days={u.by_day} title="Tokens per day, all users" />
          <div className="split">
            <DataTable caption="By tier" columns={TIER_COLUMNS} rows={u.by_tier} rowKey={(t) => t.tier} />
            <DataTable caption="By model" columns={MODEL_COLUMNS} rows={u.by_model} rowKey={(m) => m.model} empty="No model calls." />
          </div>
        </>
      ) : null}
    </section>
  );
}

/** A user's month as a thin bar and figures. */
function MiniMeter({ used, limit }: { used: number; limit: number }) {
  const s = meterState(used, 0, limit);
  return (
    <>
      <div className={`mini-meter level-${s.level}`} title={`${Math.round(s.percent)}%`}>
        <div style={{ width: `${s.percent}%` }} />
      </div>
      <span className="small">
        {formatInt(used)} / {formatInt(limit)}
      </span>
    </>
  );
}
