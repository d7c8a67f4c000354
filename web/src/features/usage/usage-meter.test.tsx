import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { daysOfMonth, UsageChart } from './usage-chart';
import { meterState, UsageMeter } from './usage-meter';

describe('meterState', () => {
  it('is ok below 75%, warns from 75%, is full at the limit', () => {
    expect(meterState(0, 0, 1000)).toEqual({ percent: 0, reservedPercent: 0, remaining: 1000, level: 'ok' });
    expect(meterState(749, 0, 1000).level).toBe('ok');
    expect(meterState(750, 0, 1000).level).toBe('warn');
    expect(meterState(1000, 0, 1000)).toMatchObject({ percent: 100, remaining: 0, level: 'full' });
  });

  it('counts reserved tokens (replies in progress) against what remains', () => {
    expect(meterState(600, 300, 1000)).toEqual({ percent: 60, reservedPercent: 30, remaining: 100, level: 'ok' });
    expect(meterState(600, 400, 1000).level).toBe('full');
  });

  it('clamps: usage over the limit (a lowered cap) shows 100%, never more', () => {
    expect(meterState(1500, 200, 1000)).toEqual({ percent: 100, reservedPercent: 0, remaining: 0, level: 'full' });
  });

  it('treats a zero limit as full', () => {
    expect(meterState(0, 0, 0)).toMatchObject({ percent: 100, level: 'full' });
  });
});

describe('UsageMeter', () => {
  it('exposes the figures to assistive technology', () => {
    render(<UsageMeter used={2500} reserved={0} limit={10000} />);
    const meter = screen.getByRole('meter', { name: 'Tokens this month' });
    expect(meter.getAttribute('aria-valuenow')).toBe('2500');
    expect(meter.getAttribute('aria-valuemax')).toBe('10000');
    expect(meter.getAttribute('aria-valuetext')).toBe('2,500 of 10,000 tokens used (25%)');
    expect(screen.getByText(/7,500 tokens left/)).toBeTruthy();
  });

  it('says plainly when the limit is reached', () => {
    const { container } = render(<UsageMeter used={10000} reserved={0} limit={10000} />);
    expect(container.firstElementChild?.className).toContain('level-full');
    expect(screen.getByText(/The limit is reached/)).toBeTruthy();
  });
});

describe('UsageChart', () => {
  it('gives every day of the month a slot, zero where nothing was used', () => {
    const days = daysOfMonth('2026-02', [{ date: '2026-02-03', total_tokens: 40 }]);
    expect(days).toHaveLength(28);
    expect(days[2]).toEqual({ date: '2026-02-03', total_tokens: 40 });
    expect(days[0]!.total_tokens).toBe(0);
  });

  it('draws one bar per day and summarises the month in text', () => {
    const { container } = render(
      <UsageChart
        month="2026-07"
        days={[
          { date: '2026-07-02', total_tokens: 100 },
          { date: '2026-07-05', total_tokens: 300 },
        ]}
      />,
    );
    expect(container.querySelectorAll('rect.bar')).toHaveLength(31);
    const svg = screen.getByRole('img');
    expect(svg.getAttribute('aria-label')).toMatch(/400 in total, most on .*\(300\)/);
  });
});
