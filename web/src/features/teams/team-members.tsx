// A team's members: role, monthly cap inside the pool and use this month. Admins set or clear a
// member's cap and remove members of a lower role (after a confirmation). A member sees only their
// own use: the server tells members nobody else's. The owner also moves people between member and
// admin.
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { DataTable, type Column } from '../../components/data-table';
import { ErrorNote } from '../../components/error-note';
import { Field } from '../../components/field';
import { capitalize, formatInt } from '../../lib/format';
import { ApiError } from '../../lib/problem';
import type { TeamDetail, TeamMember, TeamUsage } from '../../lib/types';
import { RoleSelect } from './role-select';
import { canRemove, isTeamAdmin } from './team-roles';
import { useRemoveMember, useUpdateMember } from './teams-api';

interface TeamMembersProps {
  team: TeamDetail;
  usage: TeamUsage | undefined;
  myId: string;
}

export function TeamMembers({ team, usage, myId }: TeamMembersProps) {
  const remove = useRemoveMember(team.id);
  const [editing, setEditing] = useState<TeamMember | null>(null);
  const [removing, setRemoving] = useState<TeamMember | null>(null);
  const admin = isTeamAdmin(team.role);
  const usedBy = new Map(usage?.by_member.map((m) => [m.user_id, m.used]));

  async function confirmRemove(member: TeamMember) {
    setRemoving(null);
    if (editing?.user_id === member.user_id) setEditing(null);
    await remove.mutateAsync(member.user_id).catch(() => undefined); // shown by remove.error
  }

  // Role under the address and use beside the cap, so the table fits a phone.
  const columns: Column<TeamMember>[] = [
    {
      header: 'Member',
      rowHeader: true,
      className: 'member-email',
      cell: (m) => <MemberName email={m.user_id === myId ? `${m.email} (you)` : m.email} role={m.role} />,
    },
    { header: 'This month', numeric: true, cell: (m) => memberMonth(usedBy.get(m.user_id), m.monthly_token_cap) },
  ];
  if (admin) {
    columns.push({
      header: <span className="visually-hidden">Actions</span>,
      cell: (m) => (
        <span className="row-actions">
          <button type="button" className="button small" onClick={() => setEditing(m)} aria-label={`Edit ${m.email}`}>
            Edit
          </button>
          {canRemove(team.role, m.role) ? (
            <button type="button" className="button small" onClick={() => setRemoving(m)} aria-label={`Remove ${m.email}`}>
              Remove
            </button>
          ) : null}
        </span>
      ),
    });
  }

  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {admin ? <p className="muted">A member&apos;s cap limits their share of the pool each month; with no cap, only the pool limits them.</p> : null}
      {editing ? (
        <MemberForm key={editing.user_id} teamId={team.id} member={editing} canSetRole={team.role === 'owner'} onDone={() => setEditing(null)} />
      ) : null}
      <ErrorNote error={remove.error} />
      <DataTable columns={columns} rows={team.members} rowKey={(m) => m.user_id} className="members-table" scrollLabel="Members (scrolls sideways)" />
      <ConfirmDialog
        open={removing !== null}
        title="Remove this member?"
        message={`${removing?.email ?? ''} leaves ${team.name} at once and can no longer use its pool or its API keys.`}
        confirmLabel="Remove"
        danger
        onConfirm={() => removing && void confirmRemove(removing)}
        onCancel={() => setRemoving(null)}
      />
    </section>
  );
}

/** An address with its role below it. */
export function MemberName({ email, role }: { email: string; role: string }) {
  return (
    <>
      {email}
      <span className="member-role">{capitalize(role)}</span>
    </>
  );
}

/** "1,500 of 5,000" (use and cap), or only the cap when the use is not the viewer's to see. */
export function memberMonth(used: number | undefined, cap: number | null): string {
  if (used === undefined) return cap === null ? 'No cap' : `Cap ${formatInt(cap)}`;
  return cap === null ? `${formatInt(used)} (no cap)` : `${formatInt(used)} of ${formatInt(cap)}`;
}

/** A cap typed in the form: a whole number of tokens, or empty for none; otherwise what is wrong. */
export function parseCap(text: string): { cap: number | null } | { error: string } {
  const t = text.trim();
  if (t === '') return { cap: null };
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) return { error: 'Use a whole number of tokens, or leave it empty for no cap.' };
  return { cap: Number(t) };
}

interface MemberFormProps {
  teamId: string;
  member: TeamMember;
  /** The owner's: member or admin (the owner's own role moves only by handing the team over). */
  canSetRole: boolean;
  onDone: () => void;
}

/** A member's cap, and for the owner their role; only what changed is sent. */
function MemberForm({ teamId, member, canSetRole, onDone }: MemberFormProps) {
  const update = useUpdateMember(teamId);
  const [value, setValue] = useState(member.monthly_token_cap === null ? '' : String(member.monthly_token_cap));
  const [role, setRole] = useState(member.role);
  const [error, setError] = useState<string | undefined>();
  const roleEditable = canSetRole && member.role !== 'owner';

  async function save(text: string) {
    setError(undefined);
    const parsed = parseCap(text);
    if ('error' in parsed) {
      setError(parsed.error);
      return;
    }
    const roleChange = roleEditable && role !== member.role && role !== 'owner' ? { role } : {};
    try {
      await update.mutateAsync({ userId: member.user_id, monthly_token_cap: parsed.cap, ...roleChange });
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? (Object.values(err.fieldErrors())[0] ?? err.message) : 'Could not save the cap.');
    }
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save(value);
  };

  return (
    <form className="inline-form notice" onSubmit={submit} noValidate aria-label={`Cap and role of ${member.email}`}>
      <Field
        label={`Monthly cap of ${member.email}`}
        inputMode="numeric"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        error={error}
        hint="Tokens a month; empty: no cap."
        placeholder="e.g. 50000"
      />
      {roleEditable ? <RoleSelect id="member-role" value={role} onChange={setRole} /> : null}
      <button type="submit" className="button primary" disabled={update.isPending}>
        Save
      </button>
      {member.monthly_token_cap !== null ? (
        <button type="button" className="button" disabled={update.isPending} onClick={() => void save('')}>
          Remove cap
        </button>
      ) : null}
      <button type="button" className="button ghost" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}
