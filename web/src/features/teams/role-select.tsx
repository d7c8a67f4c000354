// The role a team admin gives on invitation, and the owner changes on a member.
export type AssignableRole = 'admin' | 'member';

export function RoleSelect({ id, value, onChange }: { id: string; value: string; onChange: (role: AssignableRole) => void }) {
  return (
    <div className="field field-short">
      <label htmlFor={id}>Role</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as AssignableRole)}>
        <option value="member">Member</option>
        <option value="admin">Admin</option>
      </select>
    </div>
  );
}
