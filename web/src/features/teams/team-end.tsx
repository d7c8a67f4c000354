// Leaving a team, or for its owner handing it over and deleting it; each after a confirmation.
// The owner cannot leave: they hand the team over first (and stay on as an admin).
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorNote } from '../../components/error-note';
import { navigate } from '../../lib/router';
import type { TeamDetail } from '../../lib/types';
import { useDeleteTeam, useLeaveTeam, useTransferTeam } from './teams-api';

type Asked = 'leave' | 'delete' | 'transfer' | null;

export function TeamEnd({ team, myId }: { team: TeamDetail; myId: string }) {
  const leave = useLeaveTeam(team.id, myId);
  const remove = useDeleteTeam(team.id);
  const transfer = useTransferTeam(team.id);
  const others = team.members.filter((m) => m.user_id !== myId);
  const [heir, setHeir] = useState('');
  const [asked, setAsked] = useState<Asked>(null);
  const owner = team.role === 'owner';
  const heirEmail = others.find((m) => m.user_id === heir)?.email ?? '';

  async function confirm() {
    const what = asked;
    setAsked(null);
    try {
      if (what === 'transfer') {
        await transfer.mutateAsync(heir);
        setHeir('');
      } else {
        await (what === 'delete' ? remove : leave).mutateAsync(undefined);
        navigate('/teams', { replace: true });
      }
    } catch {
      // shown below by the mutation's error
    }
  }

  const dialogs = {
    leave: { title: `Leave ${team.name}?`, message: 'You can no longer use its pool or its API keys; an admin can invite you again.', confirmLabel: 'Leave' },
    delete: {
      title: `Delete ${team.name}?`,
      message: 'Every member loses its pool at once and its API keys stop working. Its usage stays in the operator’s records. This cannot be undone.',
      confirmLabel: 'Delete team',
    },
    transfer: { title: `Hand ${team.name} over?`, message: `${heirEmail} becomes its owner; you stay on as an admin.`, confirmLabel: 'Hand over' },
  };
  const dialog = asked ? dialogs[asked] : dialogs.leave;

  return (
    <section className="card danger-zone" aria-labelledby="team-end-title">
      <h2 id="team-end-title">{owner ? 'Ownership' : 'Leave the team'}</h2>
      {owner ? (
        <>
          <p className="muted">You own this team. To leave it, hand it over to another member first.</p>
          {others.length > 0 ? (
            <div className="inline-form">
              <div className="field">
                <label htmlFor="team-heir">New owner</label>
                <select id="team-heir" value={heir} onChange={(e) => setHeir(e.target.value)}>
                  <option value="">Choose a member</option>
                  {others.map((m) => (
                    <option key={m.user_id} value={m.user_id}>
                      {m.email}
                    </option>
                  ))}
                </select>
              </div>
              <button type="button" className="button" disabled={!heir || transfer.isPending} onClick={() => setAsked('transfer')}>
                Hand over…
              </button>
            </div>
          ) : null}
          <p>
            <button type="button" className="button danger" disabled={remove.isPending} onClick={() => setAsked('delete')}>
              Delete team…
            </button>
          </p>
        </>
      ) : (
        <button type="button" className="button danger" disabled={leave.isPending} onClick={() => setAsked('leave')}>
          Leave team…
        </button>
      )}
      <ErrorNote error={transfer.error ?? remove.error ?? leave.error} />
      <ConfirmDialog open={asked !== null} {...dialog} danger={asked !== 'transfer'} onConfirm={() => void confirm()} onCancel={() => setAsked(null)} />
    </section>
  );
}
