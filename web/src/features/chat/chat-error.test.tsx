import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/problem';
import { fakeServer, json, renderWithServices, signedInSession, tokens } from '../../test/harness';
import { ChatError } from './chat-error';

async function show(error: Error) {
  const server = fakeServer({
    'POST /api/auth/refresh': () => json(tokens('t')),
    'GET /api/tiers': () => json({ tiers: [{ name: 'free', monthly_tokens: 6000, requests_per_minute: 10, models: ['demo'] }] }),
  });
  renderWithServices(<ChatError error={error} onDismiss={() => undefined} />, await signedInSession(server));
}

describe('ChatError', () => {
  it('says how much is left when a message needs more than what remains', async () => {
    await show(
      new ApiError({
        status: 429,
        code: 'QUOTA_EXCEEDED',
        detail: 'x',
        limit: 6000,
        used: 5200,
        reserved: 0,
        remaining: 800,
        resets_at: '2026-08-01T00:00:00Z',
      }),
    );
    expect(screen.getByRole('alert').textContent).toMatch(
      /You've used 5,200 of this month's 6,000 tokens, and this message needs more than the 800 left; resets on/,
    );
  });

  it("blames the user's own cap, not the plan, when the cap ran out, and shows no tiers", async () => {
    await show(new ApiError({ status: 429, code: 'QUOTA_EXCEEDED', detail: 'x', level: 'personal_cap', limit: 1234, used: 1234, reserved: 0, remaining: 0 }));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain("You've used your own monthly cap of 1,234 tokens.");
    expect(alert.textContent).toContain('raise or remove your cap');
    expect(alert.textContent).not.toMatch(/tier|plan's limit/);
    expect(screen.getByRole('link', { name: 'usage' }).getAttribute('href')).toBe('/usage');
    expect(screen.queryByRole('table')).toBeNull();
  });

  it("names the plan's limit when the tier ran out", async () => {
    await show(new ApiError({ status: 429, code: 'QUOTA_EXCEEDED', detail: 'x', level: 'tier', limit: 6000, used: 6000, reserved: 0, remaining: 0 }));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain("You've used this month's 6,000 tokens.");
    expect(alert.textContent).toContain("This is your plan's limit");
    expect(await screen.findByRole('table')).toBeTruthy();
  });

  it("blames a key's own cap and points to Settings", async () => {
    await show(new ApiError({ status: 429, code: 'QUOTA_EXCEEDED', detail: 'x', level: 'key_cap', limit: 300, used: 250, reserved: 0, remaining: 50 }));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain("It has used 250 of this key's monthly cap of 300 tokens, and this message needs more than the 50 left.");
    expect(screen.getByRole('link', { name: 'Settings' }).getAttribute('href')).toBe('/settings');
  });

  it('gives the wait of a rate limit in seconds', async () => {
    await show(new ApiError({ status: 429, code: 'RATE_LIMITED', detail: 'Too many requests' }, 12));
    expect(screen.getByRole('alert').textContent).toContain('Too many requests: try again in 12 s.');
  });

  it("shows other refusals in the server's words", async () => {
    await show(new ApiError({ status: 403, code: 'MODEL_NOT_ALLOWED', detail: 'Your plan does not include gpt-4o.' }));
    expect(screen.getByRole('alert').textContent).toContain('Your plan does not include gpt-4o.');
  });
});
