// Inviting people (team admins): an address and a role. The server mails the signed link when mail
// is set up; otherwise it answers with the link, shown here to pass on. Open invitations can be
// withdrawn.
import { useState, type FormEvent } from 'react';
import { CopyValue } from '../../components/copy-value';
import { DataTable, type Column } from '../../components/data-table';
import { ErrorNote } from '../../components/error-note';
import { Field } from '../../components/field';
import { formatDate } from '../../lib/format';
import { ApiError } from '../../lib/problem';
import type { CreatedInvitation, TeamDetail, TeamInvitation } from '../../lib/types';
import { RoleSelect } from './role-select';
import { MemberName } from './team-members';
import { useInvite, useWithdrawInvitation } from './teams-api';

export function TeamInvitations({ team }: { team: TeamDetail }) {
  const withdraw = useWithdrawInvitation(team.id);
  const [sent, setSent] = useState<CreatedInvitation | null>(null);

  const columns: Column<TeamInvitation>[] = [
    { header: 'Address', rowHeader: true, className: 'member-email', cell: (i) => <MemberName email={i.email} role={i.role} /> },
    { header: 'Expires', cell: (i) => formatDate(i.expires_at) },
    {
      header: <span className="visually-hidden">Actions</span>,
      cell: (i) => (
        <button
          type="button"
          className="button small"
          disabled={withdraw.isPending}
          onClick={() => {
            if (sent?.id === i.id) setSent(null);
            withdraw.mutate(i.id);
          }}
          aria-label={`Withdraw the invitation of ${i.email}`}
        >
          Withdraw
        </button>
      ),
    },
  ];

  return (
    <section className="card" aria-labelledby="invite-title">
      <h2 id="invite-title">Invite people</h2>
      <InviteForm teamId={team.id} onSent={setSent} />
      {sent ? <SentInvitation invitation={sent} onDone={() => setSent(null)} /> : null}
      <ErrorNote error={withdraw.error} />
      {team.invitations.length > 0 ? (
        <DataTable
          columns={columns}
          rows={team.invitations}
          rowKey={(i) => i.id}
          caption="Open invitations"
          className="invitations-table"
          scrollLabel="Open invitations (scrolls sideways)"
        />
      ) : null}
    </section>
  );
}

function InviteForm({ teamId, onSent }: { teamId: string; onSent: (invitation: CreatedInvitation) => void }) {
  const invite = useInvite(teamId);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'member' | 'admin'>('member');
  const [error, setError] = useState<string | undefined>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    if (!email.trim()) {
      setError('Enter the address to invite.');
      return;
    }
    try {
      onSent(await invite.mutateAsync({ email: email.trim(), role }));
      setEmail('');
    } catch (err) {
      setError(err instanceof ApiError ? (err.fieldErrors()['email'] ?? err.message) : 'Could not send the invitation.');
    }
  }

  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} noValidate>
      <Field label="Email address" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} error={error} />
      <RoleSelect id="invite-role" value={role} onChange={setRole} />
      <button type="submit" className="button primary" disabled={invite.isPending}>
        Invite
      </button>
    </form>
  );
}

function SentInvitation({ invitation, onDone }: { invitation: CreatedInvitation; onDone: () => void }) {
  const done = (
    <button type="button" className="button ghost small" onClick={onDone}>
      Done
    </button>
  );
  if (!invitation.link) {
    return (
      <p className="notice success" role="status">
        An invitation was mailed to {invitation.email}. {done}
      </p>
    );
  }
  return (
    <div className="notice invitation-link" role="status">
      <p>
        Mail is not set up on this server: send this link to <strong>{invitation.email}</strong> yourself. It works until {formatDate(invitation.expires_at)},
        once, for that address only.
      </p>
      <CopyValue value={invitation.link} label="Invitation link">
        {done}
      </CopyValue>
    </div>
  );
}
