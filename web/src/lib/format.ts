// Numbers, money and dates for display, in the reader's locale.

const int = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export const formatInt = (n: number) => int.format(n);
export const formatCompact = (n: number) => compact.format(n);

export function formatUsd(n: number): string {
  const digits = n !== 0 && Math.abs(n) < 0.01 ? 4 : 2;
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

/** A calendar date such as "1 Aug 2026", read in UTC (months and resets are UTC on the server). */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d);
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** "2026-07" for a Date, in UTC. */
export function monthOf(d: Date): string {
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** "July 2026" for "2026-07". */
export function formatMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  if (!y || !m) return month;
  return new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
}

/** The last `count` months, newest first, as "YYYY-MM" (UTC, as the server's months); none before `since`'s month. */
export function recentMonths(now: Date, count: number, since?: string): string[] {
  const first = since ? monthOf(new Date(since)) : '';
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const month = monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1)));
    if (month < first && out.length > 0) break;
    out.push(month);
  }
  return out;
}

/** "Free" for "free": tier names and the like, as a heading or a cell shows them. */
export const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
