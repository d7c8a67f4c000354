import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ConversationWithMessages, StoredMessage } from '../../lib/types';
import { demoModels, fakeServer, json, problem, renderWithServices, signedInSession, sseStream, tokens, type Handler } from '../../test/harness';
import { toUIMessages } from './chat-api';
import { ChatSession } from './chat-session';

const CONV = '11111111-1111-4111-8111-111111111111';
const Q1 = '22222222-2222-4222-8222-222222222221';
const Q2 = '22222222-2222-4222-8222-222222222222';
const A1 = '33333333-3333-4333-8333-333333333331';
const A2 = '33333333-3333-4333-8333-333333333332';
const A3 = '33333333-3333-4333-8333-333333333333';

function message(id: string, role: 'user' | 'assistant', content: string, parentId: string | null, versions: string[]): StoredMessage {
  return {
    id,
    parent_id: parentId,
    role,
    content,
    status: 'complete',
    model: role === 'assistant' ? 'demo' : null,
    error: null,
    input_tokens: null,
    output_tokens: null,
    created_at: '2026-12-02T10:00:00.000Z',
    versions,
  };
}

function stored(messages: StoredMessage[]): ConversationWithMessages {
  return {
    id: CONV,
    title: 'Versions',
    model: 'demo',
    system_prompt: null,
    pinned: false,
    archived: false,
    created_at: '2026-12-02T10:00:00.000Z',
    updated_at: '2026-12-02T10:00:00.000Z',
    last_message_at: '2026-12-02T10:00:00.000Z',
    current_leaf_id: messages.at(-1)?.id ?? null,
    messages,
  };
}

/** A question answered twice: the second answer shown. */
const answeredTwice = stored([message(Q1, 'user', 'Question', null, [Q1]), message(A2, 'assistant', 'Second answer', Q1, [A1, A2])]);

async function setup(routes: Record<string, Handler>, initial: ConversationWithMessages) {
  const server = fakeServer({ 'POST /api/auth/refresh': () => json(tokens('token-1')), 'GET /api/models': demoModels, ...routes });
  const session = await signedInSession(server);
  renderWithServices(
    <ChatSession
      chatKey="versions"
      userId="00000000-0000-4000-8000-000000000001"
      conversationId={CONV}
      title="Versions"
      initialMessages={toUIMessages(initial.messages)}
      initialModel="demo"
      onConversationCreated={() => undefined}
      onOpenSidebar={() => undefined}
    />,
    session,
  );
  await screen.findByRole('option', { name: 'Demo (offline)' });
  return { server, user: userEvent.setup() };
}

const reply = () => screen.getAllByRole('article', { name: 'Assistant replied' }).at(-1)!;

describe('versions of a message', () => {
  it('shows "2/2" under a regenerated reply; the arrow stores the older one and shows it', async () => {
    const older = stored([message(Q1, 'user', 'Question', null, [Q1]), message(A1, 'assistant', 'First answer', Q1, [A1, A2])]);
    const { server, user } = await setup({ 'PUT /api/conversations/11111111-1111-4111-8111-111111111111/current': () => json(older) }, answeredTwice);

    const versions = within(reply()).getByRole('group', { name: 'Version 2 of 2 of this reply' });
    expect(versions.textContent).toContain('2/2');
    expect(within(versions).getByRole('button', { name: 'Next version of this reply' }).hasAttribute('disabled')).toBe(true);
    await user.click(within(versions).getByRole('button', { name: 'Previous version of this reply' }));

    await screen.findByText('First answer');
    expect(server.calls.find((c) => c.method === 'PUT')!.body).toEqual({ message_id: A1 });
    expect(screen.queryByText('Second answer')).toBeNull();
    expect(within(reply()).getByRole('group', { name: 'Version 1 of 2 of this reply' }).textContent).toContain('1/2');
    // The user's message has no other version: no arrows under it.
    expect(within(screen.getByRole('article', { name: 'You said' })).queryByRole('group')).toBeNull();
  });

  it('reads the stored conversation after a regenerate, so the new reply shows "3/3"', async () => {
    const stream = sseStream();
    const after = stored([message(Q1, 'user', 'Question', null, [Q1]), message(A3, 'assistant', 'Third answer', Q1, [A1, A2, A3])]);
    const { user } = await setup(
      { 'POST /api/chat': () => stream.response, 'GET /api/conversations/11111111-1111-4111-8111-111111111111': () => json(after) },
      answeredTwice,
    );

    await user.click(screen.getByRole('button', { name: 'Regenerate this reply' }));
    act(() => {
      stream.send({ type: 'start', messageId: A3, messageMetadata: { conversation_id: CONV, user_message_id: Q1, model: 'demo' } });
      stream.send({ type: 'text-start', id: 't' });
      stream.send({ type: 'text-delta', id: 't', delta: 'Third answer' });
      stream.send({ type: 'text-end', id: 't' });
      stream.send({ type: 'message-metadata', messageMetadata: { status: 'complete' } });
      stream.send({ type: 'finish' });
      stream.end();
    });
    await waitFor(() => expect(within(reply()).getByRole('group', { name: 'Version 3 of 3 of this reply' })).toBeTruthy());
    expect(within(reply()).getByText('Third answer')).toBeTruthy();
  });

  it('shows the versions of an edited message under it, and their branches through it', async () => {
    const edited = stored([message(Q2, 'user', 'Question, edited', null, [Q1, Q2]), message(A3, 'assistant', 'Answer to the edit', Q2, [A3])]);
    const original = stored([message(Q1, 'user', 'Question', null, [Q1, Q2]), message(A2, 'assistant', 'Second answer', Q1, [A1, A2])]);
    const { server, user } = await setup({ 'PUT /api/conversations/11111111-1111-4111-8111-111111111111/current': () => json(original) }, edited);

    const mine = screen.getByRole('article', { name: 'You said' });
    await user.click(within(mine).getByRole('button', { name: 'Previous version of this message' }));
    await screen.findByText('Second answer');
    expect(server.calls.find((c) => c.method === 'PUT')!.body).toEqual({ message_id: Q1 });
    expect(within(screen.getByRole('article', { name: 'You said' })).getByRole('group', { name: 'Version 1 of 2 of this message' })).toBeTruthy();
    expect(within(reply()).getByRole('group', { name: 'Version 2 of 2 of this reply' })).toBeTruthy();
  });

  it('says so when a version cannot be shown, and keeps the branch it had', async () => {
    const { user } = await setup(
      {
        'PUT /api/conversations/11111111-1111-4111-8111-111111111111/current': () =>
          problem(404, 'MESSAGE_NOT_FOUND', 'There is no such message in this conversation'),
      },
      answeredTwice,
    );
    await user.click(within(reply()).getByRole('button', { name: 'Previous version of this reply' }));
    expect((await screen.findByRole('alert')).textContent).toContain('There is no such message in this conversation');
    expect(screen.getByText('Second answer')).toBeTruthy();
  });
});
