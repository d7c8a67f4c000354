import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../app';
import { SessionStore } from '../../lib/session';
import type { SharedConversation } from '../../lib/types';
import { fakeServer, json, problem, renderWithServices, signedInSession, tokens } from '../../test/harness';
import { ShareButton } from './share-dialog';

const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';
const shared: SharedConversation = {
  title: 'Tides',
  created_at: '2026-12-01T10:00:00.000Z',
  shared_at: '2026-12-02T10:00:00.000Z',
  messages: [
    { role: 'user', content: 'How do **tides** work?', status: 'complete', created_at: '2026-12-01T10:00:00.000Z' },
    { role: 'assistant', content: 'The **moon** pulls the sea.', status: 'complete', created_at: '2026-12-01T10:00:01.000Z' },
  ],
};

async function openSharedPage(answer: () => Response) {
  const publicFetch = vi.fn((_input: RequestInfo | URL, _init?: RequestInit) => Promise.resolve(answer()));
  vi.stubGlobal('fetch', publicFetch);
  window.history.replaceState(null, '', `/s/${TOKEN}`);
  const session = new SessionStore({ fetch: fakeServer({}).fetch, locks: null });
  await session.restore();
  renderWithServices(<App />, session);
  return publicFetch;
}

describe('the shared page, /s/<token>', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    window.history.replaceState(null, '', '/');
  });

  it('shows the conversation signed out, read only, with the chat markdown, and no way into an account', async () => {
    const publicFetch = await openSharedPage(() => json(shared));
    await screen.findByRole('heading', { name: 'Tides', level: 1 });
    expect(screen.getByRole('note').textContent).toBe('Shared conversation — read only');
    // The user's text as written; the reply rendered as markdown.
    expect(screen.getByText('How do **tides** work?')).toBeTruthy();
    expect(screen.getByText('moon').tagName).toBe('STRONG');
    expect(screen.getAllByRole('link', { name: /Sign up/ }).length).toBeGreaterThan(0);
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
    expect(screen.queryByLabelText('Message')).toBeNull();
    expect(window.location.pathname).toBe(`/s/${TOKEN}`);
    // Read without the session.
    const [url, init] = publicFetch.mock.calls[0]!;
    expect(url).toBe(`/api/shared/${TOKEN}`);
    expect(init?.credentials).toBe('omit');
    expect(new Headers(init?.headers).has('authorization')).toBe(false);
  });

  it('says a deleted or unknown link does not work', async () => {
    await openSharedPage(() => problem(404, 'SHARED_LINK_NOT_FOUND', 'There is no such shared link'));
    await screen.findByRole('heading', { name: 'This link does not work' });
  });
});

describe('the Share dialog', () => {
  it('creates a link, shows it to copy, updates it and deletes it', async () => {
    let link: object | null = null;
    const made = { token: TOKEN, url: `https://chat.example.com/s/${TOKEN}`, created_at: shared.shared_at, updated_at: shared.shared_at };
    const server = fakeServer({
      'POST /api/auth/refresh': () => json(tokens('token-1')),
      'GET /api/conversations/c1/share': () => json({ link }),
      'PUT /api/conversations/c1/share': () => {
        link = { ...made, up_to_date: true };
        return json({ link }, 201);
      },
      'DELETE /api/conversations/c1/share': () => {
        link = null;
        return new Response(null, { status: 204 });
      },
    });
    renderWithServices(<ShareButton conversationId="c1" />, await signedInSession(server));
    fireEvent.click(screen.getByRole('button', { name: 'Share' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Create link' }));
    const input = await screen.findByLabelText<HTMLInputElement>('Link');
    expect(input.value).toBe(`${window.location.origin}/s/${TOKEN}`);
    expect(input.readOnly).toBe(true);

    link = { ...made, up_to_date: false };
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    fireEvent.click(screen.getByRole('button', { name: 'Share' }));
    await screen.findByText(/newer messages are not shared until you update the link/);
    fireEvent.click(screen.getByRole('button', { name: 'Update link' }));
    await screen.findByText(/Anyone with the link can read it/);

    act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Delete link' }));
    });
    await screen.findByRole('button', { name: 'Create link' });
    await waitFor(() => expect(server.calls.map((c) => `${c.method} ${c.path}`)).toContain('DELETE /api/conversations/c1/share'));
    expect(screen.queryByLabelText('Link')).toBeNull();
  });
});
