import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { demoModels, fakeServer, json, problem, renderWithServices, signedInSession, sseStream, tokens, type Handler } from '../../test/harness';
import { ChatSession, STREAM_THROTTLE_MS } from './chat-session';
import { draftKey } from './drafts';

const USER_ID = '00000000-0000-4000-8000-000000000001';
const CONV = '11111111-1111-4111-8111-111111111111';
const USER_MSG = '22222222-2222-4222-8222-222222222222';
const REPLY = '33333333-3333-4333-8333-333333333333';

/**
 * POST /api/chat answers with a stream the test drives; the stream errors when the request is
 * aborted. next() waits for the next request (the first, then the second...) and gives its stream.
 */
function chatRoute() {
  const streams: ReturnType<typeof sseStream>[] = [];
  let taken = 0;
  const handler: Handler = (_url, init) => {
    const s = sseStream();
    streams.push(s);
    init.signal?.addEventListener('abort', () => s.abort());
    return s.response;
  };
  const next = async () => {
    const stream = await waitFor(() => {
      const s = streams[taken];
      if (!s) throw new Error(`no chat request #${taken + 1} yet`);
      return s;
    });
    taken += 1;
    return stream;
  };
  return { handler, streams, next };
}

async function setup(routes: Record<string, Handler>, props: Partial<Parameters<typeof ChatSession>[0]> = {}) {
  const server = fakeServer({ 'POST /api/auth/refresh': () => json(tokens('token-1')), 'GET /api/models': demoModels, ...routes });
  const session = await signedInSession(server);
  const onConversationCreated = vi.fn();
  renderWithServices(
    <ChatSession
      chatKey="test-chat"
      userId={USER_ID}
      conversationId={null}
      title={null}
      initialMessages={[]}
      initialModel={null}
      onConversationCreated={onConversationCreated}
      onOpenSidebar={() => undefined}
      {...props}
    />,
    session,
  );
  await screen.findByRole('option', { name: 'Demo (offline)' });
  return { server, onConversationCreated, user: userEvent.setup() };
}

const chatCalls = (server: { calls: { path: string; method: string; body: unknown; headers: Headers }[] }) =>
  server.calls.filter((c) => c.path === '/api/chat' && c.method === 'POST');

describe('ChatSession', () => {
  it('streams a reply in as rendered markdown and sends only the new content', async () => {
    const chat = chatRoute();
    const { server, onConversationCreated, user } = await setup({ 'POST /api/chat': chat.handler });

    await user.type(screen.getByLabelText('Message'), 'Hello there{Enter}');
    const stream = await chat.next();
    expect(chatCalls(server)[0]!.body).toEqual({ model: 'demo', action: 'send', content: 'Hello there' });
    expect(chatCalls(server)[0]!.headers.get('authorization')).toBe('Bearer token-1');
    expect(screen.getByText('Hello there')).toBeTruthy();
    expect(screen.getByLabelText<HTMLTextAreaElement>('Message').value).toBe('');

    act(() => {
      stream.send({ type: 'start', messageId: REPLY, messageMetadata: { conversation_id: CONV, user_message_id: USER_MSG, model: 'demo' } });
      stream.send({ type: 'data-conversation', data: { id: CONV, title: 'Greetings' } });
      stream.send({ type: 'text-start', id: 't' });
      stream.send({ type: 'text-delta', id: 't', delta: 'Hi! **Bold** st' });
    });
    const strong = await screen.findByText('Bold');
    expect(strong.tagName).toBe('STRONG');
    expect(screen.getByRole('button', { name: 'Stop the reply' })).toBeTruthy();
    await waitFor(() => expect(onConversationCreated).toHaveBeenCalledWith(CONV));
    expect(screen.getByRole('heading', { name: 'Greetings' })).toBeTruthy();

    act(() => stream.send({ type: 'text-delta', id: 't', delta: 'art, then more.' }));
    await screen.findByText(/art, then more\./);

    act(() => {
      stream.send({ type: 'text-end', id: 't' });
      stream.send({ type: 'message-metadata', messageMetadata: { status: 'complete', usage: { input_tokens: 12, output_tokens: 30, total_tokens: 42 } } });
      stream.send({ type: 'finish' });
      stream.end();
    });
    await screen.findByRole('button', { name: 'Send message' });
    expect(screen.getByText('42 tokens')).toBeTruthy();

    // The user's message now carries the server's id: editing it names that id.
    await user.click(screen.getByRole('button', { name: 'Edit and resend this message' }));
    const box = screen.getByLabelText('Edit your message');
    await user.clear(box);
    await user.type(box, 'Hello again');
    await user.click(screen.getByRole('button', { name: 'Save and send' }));
    await waitFor(() => expect(chatCalls(server)).toHaveLength(2));
    expect(chatCalls(server)[1]!.body).toEqual({ model: 'demo', action: 'edit', conversation_id: CONV, message_id: USER_MSG, content: 'Hello again' });
  });

  it('stops a reply through the server: the stream stays open for the rest and the end, shown with its tokens', async () => {
    const chat = chatRoute();
    const { server, user } = await setup({ 'POST /api/chat': chat.handler, [`POST /api/chat/${CONV}/stop`]: () => json({ message_id: REPLY }, 202) });
    await user.type(screen.getByLabelText('Message'), 'Write something long{Enter}');
    const stream = await chat.next();
    act(() => {
      stream.send({ type: 'start', messageId: REPLY, messageMetadata: { conversation_id: CONV, user_message_id: USER_MSG, model: 'demo' } });
      stream.send({ type: 'data-conversation', data: { id: CONV, title: 'Write something long' } });
      stream.send({ type: 'text-start', id: 't' });
      stream.send({ type: 'text-delta', id: 't', delta: 'The first part' });
    });
    await screen.findByText('The first part');
    await user.click(screen.getByRole('button', { name: 'Stop the reply' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'POST' && c.path === `/api/chat/${CONV}/stop`)).toBe(true));
    expect(screen.getByRole('button', { name: 'Stopping the reply' })).toBeTruthy();
    // The words already on their way still come, then the end with the stored status and usage.
    act(() => {
      stream.send({ type: 'text-delta', id: 't', delta: ', and a little more' });
      stream.send({ type: 'text-end', id: 't' });
      stream.send({ type: 'message-metadata', messageMetadata: { status: 'stopped', usage: { input_tokens: 10, output_tokens: 7, total_tokens: 17 } } });
      stream.send({ type: 'finish', finishReason: 'other' });
      stream.end();
    });
    await screen.findByText('Stopped');
    expect(screen.getByText('The first part, and a little more')).toBeTruthy();
    expect(screen.getByText('17 tokens')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Send message' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Regenerate this reply' })).toBeTruthy();
  });

  it('regenerates the last reply with action "regenerate" and no message id', async () => {
    const chat = chatRoute();
    const { server, user } = await setup(
      { 'POST /api/chat': chat.handler },
      {
        conversationId: CONV,
        title: 'Old chat',
        initialModel: 'demo',
        initialMessages: [
          { id: USER_MSG, role: 'user', parts: [{ type: 'text', text: 'Question' }] },
          { id: REPLY, role: 'assistant', parts: [{ type: 'text', text: 'First answer' }], metadata: { status: 'complete' } },
        ],
      },
    );
    await user.click(screen.getByRole('button', { name: 'Regenerate this reply' }));
    await chat.next();
    expect(chatCalls(server)[0]!.body).toEqual({ model: 'demo', action: 'regenerate', conversation_id: CONV });
    expect(screen.queryByText('First answer')).toBeNull();
  });

  it('shows the monthly limit plainly, with the tiers, and gives the text back', async () => {
    const { user } = await setup({
      'POST /api/chat': () =>
        problem(429, 'QUOTA_EXCEEDED', 'Monthly token limit reached', { limit: 1000, used: 1000, reserved: 0, resets_at: '2026-08-01T00:00:00.000Z' }),
      'GET /api/tiers': () =>
        json({
          tiers: [
            { name: 'free', monthly_tokens: 1000, requests_per_minute: 10, models: ['demo'] },
            { name: 'starter', monthly_tokens: 1_000_000, requests_per_minute: 30, models: ['*'] },
          ],
        }),
    });
    await user.type(screen.getByLabelText('Message'), 'One more question{Enter}');
    const notice = await screen.findByRole('alert');
    expect(notice.textContent).toMatch(/You've used this month's 1,000 tokens; resets on .*2026/);
    const table = await within(notice).findByRole('table');
    expect(within(table).getByText('Starter')).toBeTruthy();
    expect(within(table).getByText('All models')).toBeTruthy();
    // No generic error text, no orphan message, and the draft is back in the box.
    expect(notice.textContent).not.toMatch(/failed/i);
    await waitFor(() => expect(screen.queryByText('One more question', { selector: '.bubble' })).toBeNull());
    await waitFor(() => expect(screen.getByLabelText<HTMLTextAreaElement>('Message').value).toBe('One more question'));
  });

  it('says when a reply fails mid-stream and keeps what was written', async () => {
    const chat = chatRoute();
    const { user } = await setup({ 'POST /api/chat': chat.handler });
    await user.type(screen.getByLabelText('Message'), 'Hi{Enter}');
    const stream = await chat.next();
    act(() => {
      stream.send({ type: 'start', messageId: REPLY, messageMetadata: { conversation_id: CONV, user_message_id: USER_MSG, model: 'demo' } });
      stream.send({ type: 'text-start', id: 't' });
      stream.send({ type: 'text-delta', id: 't', delta: 'Partial answer' });
      stream.send({ type: 'text-end', id: 't' });
      stream.send({ type: 'message-metadata', messageMetadata: { status: 'failed', usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 } } });
      stream.send({ type: 'error', errorText: 'The provider stopped answering.' });
      stream.end();
    });
    await screen.findByText(/The reply failed: The provider stopped answering\./, { selector: '.chat-error span' });
    expect(screen.getByText('Partial answer')).toBeTruthy();
    await screen.findByText(/The reply failed: The provider stopped answering\./, { selector: '.message-status' });
  });

  it('restores the draft after a reload and saves it as it is typed', async () => {
    localStorage.setItem(draftKey(USER_ID, null), 'half-written thought');
    const { user } = await setup({});
    const box = screen.getByLabelText<HTMLTextAreaElement>('Message');
    expect(box.value).toBe('half-written thought');
    await user.type(box, ', finished');
    expect(localStorage.getItem(draftKey(USER_ID, null))).toBe('half-written thought, finished');
  });

  it('throttles rendering while a long reply streams', async () => {
    const chat = chatRoute();
    const { user } = await setup({ 'POST /api/chat': chat.handler });
    await user.type(screen.getByLabelText('Message'), 'long{Enter}');
    const stream = await chat.next();
    act(() => {
      stream.send({ type: 'start', messageId: REPLY, messageMetadata: { conversation_id: CONV, user_message_id: USER_MSG, model: 'demo' } });
      stream.send({ type: 'text-start', id: 't' });
    });
    await screen.findByLabelText('Writing');
    const list = screen.getByRole('log');
    let renders = 0; // commits that changed the message list
    const observer = new MutationObserver(() => (renders += 1));
    observer.observe(list, { childList: true, subtree: true, characterData: true });

    // Deltas arrive one at a time a couple of milliseconds apart, as from the network: unthrottled,
    // each one would be a render of its own.
    const DELTAS = 50;
    const started = performance.now();
    for (let i = 0; i < DELTAS; i++) {
      stream.send({ type: 'text-delta', id: 't', delta: `w${i} ` });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await screen.findByText(new RegExp(`w${DELTAS - 1}`));
    const elapsed = performance.now() - started;
    observer.disconnect();
    // The page renders a few times, not once per delta: at most once per throttle interval (the
    // first delta at once, the last when its interval ends), however slowly the machine ran.
    expect(renders).toBeLessThanOrEqual(Math.ceil(elapsed / STREAM_THROTTLE_MS) + 2);
  });
});
