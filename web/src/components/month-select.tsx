// The month a report covers: one of the last twelve, newest first.
import { formatMonth, recentMonths } from '../lib/format';

export function MonthSelect({ id, value, onChange }: { id: string; value: string; onChange: (month: string) => void }) {
  return (
    <div className="inline-field">
      <label htmlFor={id}>Month</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {recentMonths(new Date(), 12).map((m) => (
          <option key={m} value={m}>
            {formatMonth(m)}
          </option>
        ))}
      </select>
    </div>
  );
}
