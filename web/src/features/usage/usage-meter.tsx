// This month's tokens against the limit that applies (the tier's, or the user's own lower cap).
import { formatInt } from '../../lib/format';

export type MeterLevel = 'ok' | 'warn' | 'full';

export interface MeterState {
  percent: number;
  reservedPercent: number;
  remaining: number;
  level: MeterLevel;
}

/** Percentages are clamped to 0..100; 75% warns; reaching the limit (or a zero limit) is full. */
export function meterState(used: number, reserved: number, limit: number): MeterState {
  if (limit <= 0) return { percent: 100, reservedPercent: 0, remaining: 0, level: 'full' };
  const percent = clamp((used / limit) * 100);
  const reservedPercent = clamp((reserved / limit) * 100, 0, 100 - percent);
  const remaining = Math.max(0, limit - used - reserved);
  const level: MeterLevel = used + reserved >= limit ? 'full' : percent >= 75 ? 'warn' : 'ok';
  return { percent, reservedPercent, remaining, level };
}

const clamp = (n: number, lo = 0, hi = 100) => Math.min(hi, Math.max(lo, n));

interface UsageMeterProps {
  used: number;
  reserved: number;
  limit: number;
  label?: string;
}

export function UsageMeter({ used, reserved, limit, label = 'Tokens this month' }: UsageMeterProps) {
  const s = meterState(used, reserved, limit);
  const shown = Math.round(s.percent);
  const text = `${formatInt(used)} of ${formatInt(limit)} tokens used (${shown}%)`;
  return (
    <div className={`usage-meter level-${s.level}`}>
      <div className="meter-label">
        <span>{label}</span>
        <span className="meter-figures">{text}</span>
      </div>
      <div
        className="meter-track"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={Math.min(used, limit)}
        aria-valuetext={text}
      >
        <div className="meter-fill" style={{ width: `${s.percent}%` }} />
        {s.reservedPercent > 0 ? <div className="meter-reserved" style={{ left: `${s.percent}%`, width: `${s.reservedPercent}%` }} /> : null}
      </div>
      <p className="meter-note">
        {s.level === 'full' ? (
          <strong>The limit is reached: new messages wait until the reset or a higher limit.</strong>
        ) : (
          <>
            {formatInt(s.remaining)} tokens left
            {reserved > 0 ? `, ${formatInt(reserved)} held for replies in progress` : ''}.
          </>
        )}
      </p>
    </div>
  );
}
