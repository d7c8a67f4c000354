import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { formatDate, formatInt } from '../../lib/format';
import type { ApiKey } from '../../lib/types';
import { fakeServer, json, problem, renderWithServices, signedInSession, tokens } from '../../test/harness';
import { ApiKeysSection } from './api-keys-section';

const SECRET = `qc_${'A'.repeat(43)}`;
const NO_LIMITS = { monthly_token_cap: null, expires_at: null, team_id: null, used_tokens: 0, reserved_tokens: 0 };

const TEAM = { id: 'team-1', name: 'Research', tier: 'free', role: 'member', monthly_token_cap: null, created_at: '2026-11-01T00:00:00Z' };

function keysServer(initial: ApiKey[] = [], teams: (typeof TEAM)[] = []) {
  let keys = [...initial];
  const server = fakeServer({
    'POST /api/auth/refresh': () => json(tokens('t')),
    'GET /api/teams': () => json({ items: teams }),
    'GET /api/keys': () => json({ items: keys }),
    'POST /api/keys': (_url, init) => {
      const body = JSON.parse(init.body as string) as { name: string; monthly_token_cap: number | null; expires_at: string | null; team_id?: string };
      if (body.name === 'one too many') return problem(409, 'API_KEY_LIMIT', 'You have 20 API keys, the most there can be: revoke one first.');
      const key: ApiKey = {
        ...NO_LIMITS,
        id: `k${keys.length + 1}`,
        name: body.name,
        prefix: SECRET.slice(0, 11),
        created_at: '2026-11-30T10:00:00Z',
        last_used_at: null,
        monthly_token_cap: body.monthly_token_cap,
        expires_at: body.expires_at,
        team_id: body.team_id ?? null,
      };
      keys = [key, ...keys];
      return json({ ...key, key: SECRET }, 201);
    },
  });
  return {
    server,
    revokeRoute: (id: string) => {
      keys = keys.filter((k) => k.id !== id);
    },
  };
}

describe('ApiKeysSection', () => {
  it('creates a key and shows its secret once, with the base URL to use', async () => {
    const { server } = keysServer();
    renderWithServices(<ApiKeysSection />, await signedInSession(server));
    await screen.findByText('No API keys yet.');
    expect(screen.getByText(`${window.location.origin}/v1`)).toBeTruthy();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Key name'), 'my-script');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect((await screen.findByLabelText('New API key')).textContent).toBe(SECRET);
    const table = await screen.findByRole('table', { name: 'Your API keys' });
    await within(table).findByText('my-script');
    expect(within(table).queryByText(SECRET)).toBeNull();
    // Never used, never expires.
    expect(within(table).getAllByText('Never')).toHaveLength(1);
    expect(within(table).getAllByText('No expiry')).toHaveLength(1);
    expect(server.calls.find((c) => c.method === 'POST' && c.path === '/api/keys')?.body).toEqual({
      name: 'my-script',
      monthly_token_cap: null,
      expires_at: null,
    });

    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByLabelText('New API key')).toBeNull();
  });

  it('offers no team to someone in none, and charges the team picked', async () => {
    const alone = keysServer();
    const first = renderWithServices(<ApiKeysSection />, await signedInSession(alone.server));
    await screen.findByText('No API keys yet.');
    expect(screen.queryByLabelText('Charged to')).toBeNull();
    first.unmount();

    const { server } = keysServer([], [TEAM]);
    renderWithServices(<ApiKeysSection />, await signedInSession(server));
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText('Charged to'), 'Team: Research');
    await user.type(screen.getByLabelText('Key name'), 'team bot');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    const row = await screen.findByRole('row', { name: /team bot/ });
    expect(within(row).getByText('Team: Research')).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'POST' && c.path === '/api/keys')?.body).toMatchObject({ name: 'team bot', team_id: 'team-1' });
  });

  it("asks for a name, and shows the server's refusal in its words", async () => {
    const { server } = keysServer();
    renderWithServices(<ApiKeysSection />, await signedInSession(server));
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Create key' }));
    expect(screen.getByText('Give the key a name, e.g. the program that will use it.')).toBeTruthy();
    expect(server.calls.some((c) => c.method === 'POST' && c.path === '/api/keys')).toBe(false);

    await user.type(screen.getByLabelText('Key name'), 'one too many');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect((await screen.findByRole('alert')).textContent).toContain('You have 20 API keys');
  });

  it('revokes a key after confirming', async () => {
    const existing: ApiKey = { ...NO_LIMITS, id: 'k9', name: 'ci', prefix: 'qc_Zz9', created_at: '2026-11-01T00:00:00Z', last_used_at: '2026-11-29T08:00:00Z' };
    const state = keysServer([existing]);
    const server = fakeServer({
      'POST /api/auth/refresh': () => json(tokens('t')),
      'GET /api/keys': () => state.server.fetch('/api/keys'),
      'DELETE /api/keys/k9': () => {
        state.revokeRoute('k9');
        return new Response(null, { status: 204 });
      },
    });
    renderWithServices(<ApiKeysSection />, await signedInSession(server));
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Revoke ci' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Revoke this key?' })).getByRole('button', { name: 'Revoke' }));
    await screen.findByText('No API keys yet.');
    expect(server.calls.some((c) => c.method === 'DELETE' && c.path === '/api/keys/k9')).toBe(true);
  });

  it('creates a key with a monthly cap and an expiry, and shows its use of the cap', async () => {
    const { server } = keysServer();
    renderWithServices(<ApiKeysSection />, await signedInSession(server));
    await screen.findByText('No API keys yet.');
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Key name'), 'ci');
    await user.type(screen.getByLabelText('Monthly token cap'), 'lots');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    expect(screen.getByText('Use a whole number of tokens, or leave it empty.')).toBeTruthy();
    await user.clear(screen.getByLabelText('Monthly token cap'));
    await user.type(screen.getByLabelText('Monthly token cap'), '50000');
    await user.type(screen.getByLabelText('Expires on'), '2030-01-31');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    const table = await screen.findByRole('table', { name: 'Your API keys' });
    expect(await within(table).findByText(`0 of ${formatInt(50000)}`)).toBeTruthy();
    expect(within(table).getByText(formatDate('2030-01-31T23:59:59Z'))).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'POST' && c.path === '/api/keys')?.body).toEqual({
      name: 'ci',
      monthly_token_cap: 50000,
      expires_at: '2030-01-31T23:59:59Z',
    });
  });

  it("changes a key's limits, and shows the server's word on a field it refuses", async () => {
    const existing: ApiKey = {
      ...NO_LIMITS,
      id: 'k3',
      name: 'bot',
      prefix: 'qc_Bb3',
      created_at: '2026-11-01T00:00:00Z',
      last_used_at: null,
      monthly_token_cap: 900,
    };
    const patches: unknown[] = [];
    const server = fakeServer({
      'POST /api/auth/refresh': () => json(tokens('t')),
      'GET /api/keys': () => json({ items: [existing] }),
      'PATCH /api/keys/k3': (_url, init) => {
        const body = JSON.parse(init.body as string) as { expires_at: string | null };
        patches.push(body);
        if (body.expires_at === '2020-01-01T23:59:59Z')
          return problem(422, 'VALIDATION_FAILED', 'The expiry must be in the future.', {
            issues: [{ location: 'body', path: 'expires_at', message: 'must be in the future' }],
          });
        return json({ ...existing, ...body });
      },
    });
    renderWithServices(<ApiKeysSection />, await signedInSession(server));
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit limits of bot' }));
    const form = screen.getByRole('form', { name: 'Limits of bot' });
    expect(within(form).getByLabelText<HTMLInputElement>('Monthly token cap').value).toBe('900');
    await user.type(within(form).getByLabelText('Expires on'), '2020-01-01');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByText('must be in the future')).toBeTruthy();
    await user.clear(within(form).getByLabelText('Monthly token cap'));
    await user.clear(within(form).getByLabelText('Expires on'));
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Limits of bot' })).toBeNull());
    expect(patches.at(-1)).toEqual({ monthly_token_cap: null, expires_at: null });
  });
});
