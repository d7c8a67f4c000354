import { describe, expect, it } from 'vitest';
import { isMonth, monthOf, monthResetsAt, monthStart } from './month.js';

describe('usage months (UTC)', () => {
  it('puts the last millisecond of a month in that month and the next instant in the next', () => {
    expect(monthOf(new Date('2026-11-30T23:59:59.999Z'))).toBe('2026-11');
    expect(monthOf(new Date('2026-12-01T00:00:00.000Z'))).toBe('2026-12');
  });

  it('uses UTC whatever the offset the time was written with', () => {
    // 00:30 on 1 December in UTC+02:00 is still 30 November in UTC.
    expect(monthOf(new Date('2026-12-01T00:30:00+02:00'))).toBe('2026-11');
    expect(monthOf(new Date('2026-11-30T22:30:00-02:00'))).toBe('2026-12');
  });

  it('resets at the first instant of the next month, across a year end', () => {
    expect(monthResetsAt('2026-11').toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(monthResetsAt('2026-12').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(monthStart('2027-01').toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('handles February in leap and common years', () => {
    expect(monthOf(new Date('2028-02-29T12:00:00Z'))).toBe('2028-02');
    expect(monthResetsAt('2027-02').toISOString()).toBe('2027-03-01T00:00:00.000Z');
  });

  it('validates the YYYY-MM form', () => {
    expect(isMonth('2026-11')).toBe(true);
    for (const bad of ['2026-13', '2026-00', '2026-1', '26-11', '2026-11-01', '']) expect(isMonth(bad)).toBe(false);
  });
});
