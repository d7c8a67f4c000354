// Settings > Sessions: where this account is signed in; end one, or every one but this.
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { DataTable, type Column } from '../../components/data-table';
import { ErrorNote } from '../../components/error-note';
import { formatDateTime } from '../../lib/format';
import { useEndSession, useSessions, type SessionList } from './account-api';
import { describeUserAgent } from './user-agent';

type Session = SessionList['items'][number];

export function SessionsSection() {
  const sessions = useSessions();
  const end = useEndSession();
  const [confirmAll, setConfirmAll] = useState(false);
  const others = sessions.data?.items.filter((s) => !s.current) ?? [];

  const columns: Column<Session>[] = [
    { header: 'Device', cell: (s) => (s.current ? `${describeUserAgent(s.user_agent)} (this one)` : describeUserAgent(s.user_agent)), rowHeader: true },
    { header: 'Address', cell: (s) => s.ip ?? 'Unknown' },
    { header: 'Signed in', cell: (s) => formatDateTime(s.created_at) },
    { header: 'Last active', cell: (s) => formatDateTime(s.last_used_at) },
    {
      header: <span className="visually-hidden">Actions</span>,
      cell: (s) =>
        s.current ? null : (
          <button type="button" className="button small" onClick={() => end.mutate(s.id)} aria-label={`End the session on ${describeUserAgent(s.user_agent)}`}>
            End
          </button>
        ),
    },
  ];

  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p className="muted">Where this account is signed in. Ending a session signs that device out at once.</p>
      <ErrorNote error={end.error ?? sessions.error} />
      {sessions.data ? (
        <DataTable columns={columns} rows={sessions.data.items} rowKey={(s) => s.id} className="sessions" caption="Your sessions" empty="No sessions." />
      ) : null}
      {others.length > 0 ? (
        <div className="section-end">
          <button type="button" className="button" onClick={() => setConfirmAll(true)}>
            Sign out all other sessions
          </button>
        </div>
      ) : null}
      <ConfirmDialog
        open={confirmAll}
        title="Sign out everywhere else?"
        message={`${others.length} other ${others.length === 1 ? 'session ends' : 'sessions end'} at once; this one stays.`}
        confirmLabel="Sign them out"
        danger
        onConfirm={() => {
          setConfirmAll(false);
          end.mutate(null);
        }}
        onCancel={() => setConfirmAll(false)}
      />
    </section>
  );
}
