// Usage months are UTC calendar months, written "YYYY-MM" as the reference stored them.

export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

export function isMonth(value: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}

/** The first instant of the month, UTC. */
export function monthStart(month: string): Date {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 1));
}

/** When the month's limit resets: the first instant of the next UTC month. */
export function monthResetsAt(month: string): Date {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1));
}
