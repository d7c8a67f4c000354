// Administration: every user with their tier, active switch and this month's usage; totals for a
// month by tier, model and day. The server enforces the admin role on every call; this page is
// only hidden from others.
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ErrorNote } from '../../components/error-note';
import { useApi, useSession } from '../../lib/app-context';
import { formatInt, formatMonth, formatUsd, monthOf, recentMonths } from '../../lib/format';
import { type AdminUsage, type AdminUser, type AdminUsersPage, TIER_NAMES, type User } from '../../lib/types';
import { capitalize } from '../usage/tiers-table';
import { UsageChart } from '../usage/usage-chart';
import { meterState } from '../usage/usage-meter';

const PAGE = 20;

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
  const api = useApi();
  const queryClient = useQueryClient();
  const { user: me } = useSession();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const t = window.setTimeout(() => {
      setQ(search.trim());
      setOffset(0);
    }, 250);
    return () => window.clearTimeout(t);
  }, [search]);

  const users = useQuery({
    queryKey: ['admin', 'users', q, offset],
    queryFn: ({ signal }) => api<AdminUsersPage>('/api/admin/users', { query: { q, limit: PAGE, offset }, signal }),
    placeholderData: keepPreviousData,
  });

  async function update(user: AdminUser, body: Partial<Pick<User, 'tier' | 'is_active' | 'role'>>) {
    setError(null);
    try {
      await api(`/api/admin/users/${encodeURIComponent(user.id)}`, { method: 'PATCH', body });
    } catch (err) {
      setError(err);
    }
    await queryClient.invalidateQueries({ queryKey: ['admin'] });
  }

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
      {users.isError ? <ErrorNote error={users.error} /> : null}
      <div className="table-scroll">
        <table className="data-table users-table">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Tier</th>
              <th scope="col">Role</th>
              <th scope="col">Active</th>
              <th scope="col">Usage this month</th>
            </tr>
          </thead>
          <tbody>
            {users.data?.items.map((u) => {
              const self = u.id === me?.id;
              const s = meterState(u.usage.used, 0, u.usage.limit);
              return (
                <tr key={u.id} className={u.is_active ? undefined : 'inactive'}>
                  <th scope="row" className="email-cell">
                    {u.email}
                    {self ? <span className="badge">you</span> : null}
                  </th>
                  <td>
                    <select aria-label={`Tier of ${u.email}`} value={u.tier} onChange={(e) => void update(u, { tier: e.target.value as User['tier'] })}>
                      {TIER_NAMES.map((t) => (
                        <option key={t} value={t}>
                          {capitalize(t)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select aria-label={`Role of ${u.email}`} value={u.role} disabled={self} onChange={(e) => void update(u, { role: e.target.value as User['role'] })}>
                      <option value="user">User</option>
                      <option value="admin">Admin</option>
                    </select>
                  </td>
                  <td>
                    <input type="checkbox" aria-label={`${u.email} is active`} checked={u.is_active} disabled={self} onChange={(e) => void update(u, { is_active: e.target.checked })} />
                  </td>
                  <td>
                    <div className={`mini-meter level-${s.level}`} title={`${Math.round(s.percent)}%`}>
                      <div style={{ width: `${s.percent}%` }} />
                    </div>
                    <span className="small">
                      {formatInt(u.usage.used)} / {formatInt(u.usage.limit)}
                    </span>
                  </td>
                </tr>
              );
            })}
            {users.data && users.data.items.length === 0 ? (
              <tr>
                <td colSpan={5} className="muted">
                  No user matches.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <div className="row pager">
        <span className="muted">{total ? `${offset + 1}–${Math.min(offset + PAGE, total)} of ${formatInt(total)}` : ''}</span>
        <button type="button" className="button small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous
        </button>
        <button type="button" className="button small" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
          Next
        </button>
      </div>
    </section>
  );
}

function TotalsSection() {
  const api = useApi();
  const [month, setMonth] = useState(() => monthOf(new Date()));
  const usage = useQuery({
    queryKey: ['admin', 'usage', month],
    queryFn: ({ signal }) => api<AdminUsage>('/api/admin/usage', { query: { month }, signal }),
  });
  const u = usage.data;
  return (
    <section className="card" aria-labelledby="totals-title">
      <div className="page-head">
        <h2 id="totals-title">Totals</h2>
        <div className="inline-field">
          <label htmlFor="totals-month">Month</label>
          <select id="totals-month" value={month} onChange={(e) => setMonth(e.target.value)}>
            {recentMonths(new Date(), 12).map((m) => (
              <option key={m} value={m}>
                {formatMonth(m)}
              </option>
            ))}
          </select>
        </div>
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
            <div className="table-scroll">
              <table className="data-table">
                <caption>By tier</caption>
                <thead>
                  <tr>
                    <th scope="col">Tier</th>
                    <th scope="col" className="num">
                      Users
                    </th>
                    <th scope="col" className="num">
                      Tokens
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {u.by_tier.map((t) => (
                    <tr key={t.tier}>
                      <th scope="row">{capitalize(t.tier)}</th>
                      <td className="num">{formatInt(t.users)}</td>
                      <td className="num">{formatInt(t.total_tokens)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="table-scroll">
              <table className="data-table">
                <caption>By model</caption>
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col" className="num">
                      Requests
                    </th>
                    <th scope="col" className="num">
                      Tokens
                    </th>
                    <th scope="col" className="num">
                      Cost
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {u.by_model.length === 0 ? (
                    <tr>
                      <td colSpan={4} className="muted">
                        No model calls.
                      </td>
                    </tr>
                  ) : (
                    u.by_model.map((m) => (
                      <tr key={m.model}>
                        <th scope="row">{m.model}</th>
                        <td className="num">{formatInt(m.requests)}</td>
                        <td className="num">{formatInt(m.total_tokens)}</td>
                        <td className="num">{formatUsd(m.cost_usd)}</td>
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            </div>
          </div>
        </>
      ) : null}
    </section>
  );
}
