import { describe, expect, it } from 'vitest';
import { recentMonths } from './format';

describe('recentMonths', () => {
  const now = new Date('2026-12-02T10:00:00Z');

  it('lists the last months, newest first, across a year', () => {
    expect(recentMonths(now, 3)).toEqual(['2026-12', '2026-11', '2026-10']);
  });

  it("starts at the account's first month (UTC), and always holds the current one", () => {
    expect(recentMonths(now, 12, '2026-10-31T23:30:00Z')).toEqual(['2026-12', '2026-11', '2026-10']);
    expect(recentMonths(now, 12, '2026-12-01T00:00:00Z')).toEqual(['2026-12']);
    expect(recentMonths(now, 2, '2020-01-01T00:00:00Z')).toEqual(['2026-12', '2026-11']);
    expect(recentMonths(now, 12, '2027-01-05T00:00:00Z')).toEqual(['2026-12']); // a clock behind the server's
  });
});
