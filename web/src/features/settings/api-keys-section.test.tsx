import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ApiKey } from '../../lib/types';
import { fakeServer, json, problem, renderWithServices, signedInSession, tokens } from '../../test/harness';
import { ApiKeysSection } from './api-keys-section';

const SECRET = `qc_${'A'.repeat(43)}`;

function keysServer(initial: ApiKey[] = []) {
  let keys = [...initial];
  const server = fakeServer({
    'POST /api/auth/refresh': () => json(tokens('t')),
    'GET /api/keys': () => json({ items: keys }),
    'POST /api/keys': (_url, init) => {
      const { name } = JSON.parse(init.body as string) as { name: string };
      if (name === 'one too many') return problem(409, 'API_KEY_LIMIT', 'You have 20 API keys, the most there can be: revoke one first.');
      const key: ApiKey = { id: `k${keys.length + 1}`, name, prefix: SECRET.slice(0, 11), created_at: '2026-11-30T10:00:00Z', last_used_at: null };
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
    expect(within(table).getByText('Never')).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'POST' && c.path === '/api/keys')?.body).toEqual({ name: 'my-script' });

    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByLabelText('New API key')).toBeNull();
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
    const existing: ApiKey = { id: 'k9', name: 'ci', prefix: 'qc_Zz9', created_at: '2026-11-01T00:00:00Z', last_used_at: '2026-11-29T08:00:00Z' };
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
});
