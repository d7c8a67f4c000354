// The month a report covers: one of the last twelve, newest first, none before the account's first
// (`since`, its created_at), since an account has no usage before it existed.
import { formatMonth, recentMonths } from '../lib/format';

export function MonthSelect({ id, value, onChange, since }: { id: string; value: string; onChange: (month: string) => void; since?: string | undefined }) {
  return (
    <div className="inline-field">
      <label htmlFor={id}>Month</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {recentMonths(new Date(), 12, since).map((m) => (
          <option key={m} value={m}>
            {formatMonth(m)}
          </option>
        ))}
      </select>
    </div>
  );
}
