import { act, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './app';
import { navigate } from './lib/router';
import { fakeServer, json, renderWithServices, signedInSession, tokens } from './test/harness';

// The chat page stands in for any page: it renders a line, or fails when told to.
const chat = vi.hoisted(() => ({ fails: false }));
vi.mock('./features/chat/chat-page', () => ({
  ChatPage: () => {
    if (chat.fails) throw new Error('the page broke');
    return <p>The chat</p>;
  },
}));

async function renderApp(at: string) {
  window.history.replaceState(null, '', at);
  const server = fakeServer({ 'POST /api/auth/refresh': () => json(tokens('token-1')) });
  renderWithServices(<App />, await signedInSession(server));
}

describe('App', () => {
  beforeEach(() => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined); // React reports caught errors
  });
  afterEach(() => {
    vi.restoreAllMocks();
    chat.fails = false;
    window.history.replaceState(null, '', '/');
  });

  it('sends a signed-in visitor from the log-in page to ?next=, but never to another site', async () => {
    await renderApp(`/login?next=${encodeURIComponent('/\\evil.example')}`);
    await screen.findByText('The chat');
    expect(window.location.href).toBe(`${window.location.origin}/`);
  });

  it('shows a page that fails as a message with a way back, inside the frame, until the reader moves on', async () => {
    chat.fails = true;
    await renderApp('/c/11111111-1111-4111-8111-111111111111');
    expect((await screen.findByRole('alert')).textContent).toContain('Something went wrong');
    expect(screen.getByRole('link', { name: 'Back to the chat' }).getAttribute('href')).toBe('/');
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();

    act(() => navigate('/nowhere'));
    await screen.findByRole('heading', { name: 'Not found' });
    expect(screen.queryByText('Something went wrong')).toBeNull();
  });
});
