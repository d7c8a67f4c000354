import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Conversation, ConversationPatch } from '../../lib/types';
import { fakeServer, json, problem, renderWithServices, signedInSession, tokens } from '../../test/harness';
import { Sidebar } from './sidebar';

const conversation = (id: string, title: string): Conversation => ({
  id,
  title,
  model: 'demo',
  system_prompt: null,
  pinned: false,
  archived: false,
  created_at: '2026-11-30T10:00:00.000Z',
  updated_at: '2026-11-30T10:00:00.000Z',
  last_message_at: null,
});

const FIRST = '11111111-1111-4111-8111-111111111111';
const SECOND = '22222222-2222-4222-8222-222222222222';

/** The conversations endpoints over a list the test can read; PATCH `refuse` answers 409. */
async function setup({ activeId = null as string | null, refuse = false } = {}) {
  let items = [conversation(FIRST, 'First chat'), conversation(SECOND, 'Second chat')];
  const server = fakeServer({
    'POST /api/auth/refresh': () => json(tokens('t')),
    'GET /api/conversations': (url) => json({ items: items.filter((c) => c.archived === (url.searchParams.get('archived') === 'true')), next_cursor: null }),
    [`PATCH /api/conversations/${FIRST}`]: (_url, init) => {
      if (refuse) return problem(409, 'CONFLICT', 'The conversation changed meanwhile.');
      const patch = JSON.parse(init.body as string) as ConversationPatch;
      items = items.map((c) => (c.id === FIRST ? { ...c, ...patch, title: patch.title ?? c.title } : c));
      return json(items[0]);
    },
    [`DELETE /api/conversations/${FIRST}`]: () => {
      items = items.filter((c) => c.id !== FIRST);
      return new Response(null, { status: 204 });
    },
  });
  const onRenamed = vi.fn();
  renderWithServices(<Sidebar activeId={activeId} open onClose={() => undefined} onRenamed={onRenamed} />, await signedInSession(server));
  await screen.findByText('First chat');
  const listFetches = () => server.calls.filter((c) => c.method === 'GET' && c.path === '/api/conversations').length;
  const user = userEvent.setup();
  /** Opens a row's actions menu and picks one. */
  const choose = async (title: string, action: string) => {
    await user.click(screen.getByRole('button', { name: `Actions for ${title}` }));
    await user.click(within(screen.getByRole('menu', { name: `Actions for ${title}` })).getByRole('menuitem', { name: action }));
  };
  return { server, onRenamed, listFetches, user, choose };
}

describe('Sidebar', () => {
  afterEach(() => window.history.replaceState(null, '', '/'));

  it('pins a conversation and shows the list fetched again', async () => {
    const { server, listFetches, user, choose } = await setup();
    const before = listFetches();
    await choose('First chat', 'Pin');
    await screen.findByText('Pinned:');
    await user.click(screen.getByRole('button', { name: 'Actions for First chat' }));
    expect(screen.getByRole('menuitem', { name: 'Unpin' })).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ pinned: true });
    expect(listFetches()).toBeGreaterThan(before);
  });

  it('renames a conversation and tells the page its new title', async () => {
    const { server, onRenamed, user, choose } = await setup();
    await choose('First chat', 'Rename');
    const box = screen.getByLabelText('New title');
    await user.clear(box);
    await user.type(box, 'Better title{Enter}');
    await screen.findByText('Better title');
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ title: 'Better title' });
    expect(onRenamed).toHaveBeenCalledWith(FIRST, 'Better title');
  });

  it('keeps the page title when the server refuses the rename', async () => {
    const { onRenamed, user, choose } = await setup({ refuse: true });
    await choose('First chat', 'Rename');
    const box = screen.getByLabelText('New title');
    await user.clear(box);
    await user.type(box, 'Better title{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('The conversation changed meanwhile.');
    expect(onRenamed).not.toHaveBeenCalled();
  });

  it('deletes the open conversation after confirming, and goes to a new chat', async () => {
    window.history.replaceState(null, '', `/c/${FIRST}`);
    const { user, choose } = await setup({ activeId: FIRST });
    await choose('First chat', 'Delete…');
    await user.click(within(screen.getByRole('dialog', { name: 'Delete this conversation?' })).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByText('First chat')).toBeNull());
    expect(screen.getByText('Second chat')).toBeTruthy();
    expect(window.location.pathname).toBe('/');
  });

  it("shows a refused change in the server's words, and still fetches the list again", async () => {
    const { listFetches, choose } = await setup({ refuse: true });
    const before = listFetches();
    await choose('First chat', 'Archive');
    expect((await screen.findByRole('alert')).textContent).toBe('The conversation changed meanwhile.');
    await waitFor(() => expect(listFetches()).toBeGreaterThan(before));
  });

  it('gives each row two Tab stops, its link and its actions button, and the menu keyboard rules', async () => {
    const { user } = await setup();
    const link = screen.getByRole('link', { name: 'First chat' });
    link.focus();
    await user.tab();
    const button = screen.getByRole('button', { name: 'Actions for First chat' });
    expect(document.activeElement).toBe(button);
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('link', { name: 'Second chat' }));

    await user.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const items = within(screen.getByRole('menu')).getAllByRole('menuitem');
    expect(items.map((i) => i.textContent)).toEqual(['Rename', 'Pin', 'Archive', 'Export as Markdown', 'Export as JSON', 'Delete…']);
    expect(document.activeElement).toBe(items[0]);
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(items[1]);
    await user.keyboard('{ArrowUp}{ArrowUp}');
    expect(document.activeElement).toBe(items[5]);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('gives the focus back to the actions button after a rename or a cancelled deletion', async () => {
    const { user, choose } = await setup();
    await choose('First chat', 'Rename');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Actions for First chat' })));
    await choose('First chat', 'Delete…');
    await user.click(within(screen.getByRole('dialog', { name: 'Delete this conversation?' })).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Actions for First chat' })));
  });
});
