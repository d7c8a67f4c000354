// Tokens per day for one month, as plain SVG bars (no chart library). Every day of the month has
// a slot, so gaps read as zero; each bar carries a tooltip and the figure has a text summary.
import { useLayoutEffect, useRef, useState } from 'react';
import { formatCompact, formatDate, formatInt, formatMonth } from '../../lib/format';

interface Day {
  date: string;
  total_tokens: number;
}

export function daysOfMonth(month: string, days: Day[]): Day[] {
  const [y, m] = month.split('-').map(Number);
  if (!y || !m) return days;
  const count = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const byDate = new Map(days.map((d) => [d.date.slice(0, 10), d.total_tokens]));
  return Array.from({ length: count }, (_, i) => {
    const date = `${month}-${String(i + 1).padStart(2, '0')}`;
    return { date, total_tokens: byDate.get(date) ?? 0 };
  });
}

const H = 160;
const PAD = { top: 12, right: 8, bottom: 22, left: 44 };

/** Drawn at the width it is shown at, so that the text keeps its size on any screen. */
function useWidth(fallback: number) {
  const ref = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const w = Math.round(entry?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

/** Days 1, 8, 15, 22, 29 are labelled, and the last day when it is not next to one of those. */
function labelled(day: number, last: number): boolean {
  if ((day - 1) % 7 === 0) return true;
  return day === last && last - (last - ((last - 1) % 7)) >= 4;
}

export function UsageChart({ month, days, title = 'Tokens per day' }: { month: string; days: Day[]; title?: string }) {
  const [ref, W] = useWidth(600);
  const series = daysOfMonth(month, days);
  const max = Math.max(1, ...series.map((d) => d.total_tokens));
  const total = series.reduce((sum, d) => sum + d.total_tokens, 0);
  const peak = series.reduce((best, d) => (d.total_tokens > best.total_tokens ? d : best), series[0] ?? { date: month, total_tokens: 0 });
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, series.length);
  const summary =
    total === 0
      ? `${title} in ${formatMonth(month)}: no usage yet.`
      : `${title} in ${formatMonth(month)}: ${formatInt(total)} in total, most on ${formatDate(peak.date)} (${formatInt(peak.total_tokens)}).`;

  return (
    <figure className="usage-chart" ref={ref}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <line className="axis" x1={PAD.left} x2={W - PAD.right} y1={PAD.top + innerH} y2={PAD.top + innerH} />
        <line className="grid" x1={PAD.left} x2={W - PAD.right} y1={PAD.top} y2={PAD.top} />
        <text className="tick" x={PAD.left - 6} y={PAD.top + 4} textAnchor="end">
          {formatCompact(max)}
        </text>
        <text className="tick" x={PAD.left - 6} y={PAD.top + innerH} textAnchor="end">
          0
        </text>
        {series.map((d, i) => {
          const h = (d.total_tokens / max) * innerH;
          const x = PAD.left + i * slot + slot * 0.15;
          const day = i + 1;
          return (
            <g key={d.date}>
              <rect className="bar" x={x} y={PAD.top + innerH - h} width={slot * 0.7} height={Math.max(h, d.total_tokens > 0 ? 1 : 0)}>
                <title>{`${formatDate(d.date)}: ${formatInt(d.total_tokens)} tokens`}</title>
              </rect>
              {labelled(day, series.length) ? (
                <text className="tick" x={x + slot * 0.35} y={H - 6} textAnchor="middle">
                  {day}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>{summary}</figcaption>
    </figure>
  );
}
