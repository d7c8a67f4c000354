// Versions and branches (docs/decisions/018): regenerate and edit add versions beside the old ones,
// PUT /api/conversations/{id}/current picks the branch shown, the prompt follows that branch, and
// every reply stays metered once. Replies come from the fake upstream (gpt-4o-mini), which records
// exactly what the model was sent.
import { describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { parseSse, readSse, textOf, type SsePart } from '../../../test/sse.js';
import { authHeader, createUser, type TestUser } from '../../../test/test-app.js';
import { messageRow, setupChatTest } from './chat.test-support.js';

interface Shown {
  id: string;
  parent_id: string | null;
  role: string;
  content: string;
  status: string;
  versions: string[];
}

describe.each(testDbKinds())('versions and branches on %s', (kind) => {
  const ctx = setupChatTest(kind, { listen: true });

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, user: TestUser = ctx.user) =>
    ctx.t.app.inject({ method, url, headers: authHeader(user), ...(payload ? { payload } : {}) });
  const shown = async (id: string, user?: TestUser) => (await api('GET', `/api/conversations/${id}`, undefined, user)).json().messages as Shown[];
  const show = (id: string, messageId: string, user?: TestUser) => api('PUT', `/api/conversations/${id}/current`, { message_id: messageId }, user);

  /** One exchange; the reply's text is `reply`. Returns the ids the stream starts with. */
  async function chat(body: object, reply: string) {
    ctx.upstream.reset({ text: reply });
    const res = await api('POST', '/api/chat', { model: 'gpt-4o-mini', ...body });
    expect(res.statusCode, res.body).toBe(200);
    const { parts } = parseSse(res.body);
    const meta = parts[0]!.messageMetadata as { conversation_id: string; user_message_id: string };
    return { conversationId: meta.conversation_id, userMessageId: meta.user_message_id, replyId: parts[0]!.messageId as string, text: textOf(parts) };
  }
  /** What the model was sent in the last call: role and text of each message. */
  const sentToModel = () => (ctx.upstream.requests.at(-1)!.body.messages as { role: string; content: string }[]).map((m) => `${m.role}: ${m.content}`);

  /** one -> A1, two -> B1 */
  async function twoExchanges() {
    const first = await chat({ content: 'one' }, 'A1');
    const second = await chat({ conversation_id: first.conversationId, content: 'two' }, 'B1');
    return { id: first.conversationId, first, second };
  }

  it('keeps every regenerated reply as a version, newest shown, each metered once', async () => {
    const { id, first, second } = await twoExchanges();
    const b2 = await chat({ conversation_id: id, action: 'regenerate' }, 'B2');
    const b3 = await chat({ conversation_id: id, action: 'regenerate' }, 'B3');
    expect(sentToModel()).toEqual(['user: one', 'assistant: A1', 'user: two']);
    const messages = await shown(id);
    expect(messages.map((m) => m.content)).toEqual(['one', 'A1', 'two', 'B3']);
    expect(messages[3]).toMatchObject({ parent_id: second.userMessageId, versions: [second.replyId, b2.replyId, b3.replyId] });
    expect(messages.slice(0, 3).map((m) => m.versions.length)).toEqual([1, 1, 1]);
    expect(messages[1]!.parent_id).toBe(messages[0]!.id);
    expect(messages[0]!.parent_id).toBeNull();
    // Each call settled once, for its own reply.
    expect(ctx.meter.settles.map((s) => s.messageId)).toEqual([first.replyId, second.replyId, b2.replyId, b3.replyId]);
    expect(await messageRow(ctx.t, b2.replyId)).toMatchObject({ content: 'B2', status: 'complete' });
  });

  it('switches to an older reply, keeps it after a reload, and continues the conversation from it', async () => {
    const { id, second } = await twoExchanges();
    await chat({ conversation_id: id, action: 'regenerate' }, 'B2');
    const res = await show(id, second.replyId);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, current_leaf_id: second.replyId });
    expect((res.json().messages as Shown[]).map((m) => m.content)).toEqual(['one', 'A1', 'two', 'B1']);
    expect((await shown(id)).map((m) => m.content)).toEqual(['one', 'A1', 'two', 'B1']);

    await chat({ conversation_id: id, content: 'three' }, 'C1');
    expect(sentToModel()).toEqual(['user: one', 'assistant: A1', 'user: two', 'assistant: B1', 'user: three']);
    const after = await shown(id);
    expect(after.map((m) => m.content)).toEqual(['one', 'A1', 'two', 'B1', 'three', 'C1']);
    expect(after[4]!.parent_id).toBe(second.replyId);
    expect(after[3]!.versions).toHaveLength(2);
    // Regenerating now answers "three" again, on this branch.
    await chat({ conversation_id: id, action: 'regenerate' }, 'C2');
    expect(sentToModel()).toEqual(['user: one', 'assistant: A1', 'user: two', 'assistant: B1', 'user: three']);
  });

  it('edits a message into a new branch; the old branch stays whole and can be shown again', async () => {
    const { id, first, second } = await twoExchanges();
    const edited = await chat({ conversation_id: id, action: 'edit', message_id: first.userMessageId, content: 'one, again' }, 'A2');
    expect(sentToModel()).toEqual(['user: one, again']);
    const branch = await shown(id);
    expect(branch.map((m) => m.content)).toEqual(['one, again', 'A2']);
    expect(branch[0]).toMatchObject({ id: edited.userMessageId, parent_id: null, versions: [first.userMessageId, edited.userMessageId] });

    // Back to the first version: it comes with everything that followed it, down to its newest reply.
    const back = await show(id, first.userMessageId);
    expect((back.json().messages as Shown[]).map((m) => m.content)).toEqual(['one', 'A1', 'two', 'B1']);
    expect(back.json().current_leaf_id).toBe(second.replyId);

    // Editing the second message of the old branch sends the old branch's start.
    await chat({ conversation_id: id, action: 'edit', message_id: second.userMessageId, content: 'two, again' }, 'B9');
    expect(sentToModel()).toEqual(['user: one', 'assistant: A1', 'user: two, again']);
    expect((await shown(id)).map((m) => m.content)).toEqual(['one', 'A1', 'two, again', 'B9']);
  });

  it('going back to an older version shows what was written last after it', async () => {
    const { id, first, second } = await twoExchanges();
    await chat({ conversation_id: id, action: 'regenerate' }, 'B2');
    await show(id, second.replyId);
    await chat({ conversation_id: id, content: 'three' }, 'C1');
    await chat({ conversation_id: id, action: 'edit', message_id: first.userMessageId, content: 'one, again' }, 'A2');
    // Below the first "one" were written B1, B2, then C1 after B1: C1 is the newest, so its branch shows.
    const back = await show(id, first.userMessageId);
    expect((back.json().messages as Shown[]).map((m) => m.content)).toEqual(['one', 'A1', 'two', 'B1', 'three', 'C1']);
    // B2 leads to itself alone.
    const b2 = (back.json().messages as Shown[])[3]!.versions[1]!;
    expect((await show(id, b2)).json().messages.map((m: Shown) => m.content)).toEqual(['one', 'A1', 'two', 'B2']);
  });

  it('exports every version: JSON with the tree, Markdown with the branch shown, then the others', async () => {
    const { id, first } = await twoExchanges();
    await chat({ conversation_id: id, action: 'regenerate' }, 'B2');
    await chat({ conversation_id: id, action: 'edit', message_id: first.userMessageId, content: 'one, again' }, 'A2');

    const json = (await api('GET', `/api/conversations/${id}/export?format=json`)).json();
    expect(json.messages.map((m: Shown) => m.content)).toEqual(['one, again', 'A2']);
    expect(json.all_messages.map((m: Shown) => m.content)).toEqual(['one', 'A1', 'two', 'B1', 'B2', 'one, again', 'A2']);
    const byContent = new Map<string, Shown>(json.all_messages.map((m: Shown) => [m.content, m]));
    expect(byContent.get('B2')!.parent_id).toBe(byContent.get('two')!.id);
    expect(byContent.get('one, again')!.parent_id).toBeNull();
    expect(json.current_leaf_id).toBe(byContent.get('A2')!.id);

    const md = (await api('GET', `/api/conversations/${id}/export?format=markdown`)).body;
    const headings = md.split('\n').filter((line) => line.startsWith('#'));
    expect(headings.slice(1)).toEqual([
      '## You · version 2 of 2',
      '## Assistant (gpt-4o-mini)',
      '## Other versions',
      '### From turn 1',
      '#### You · version 1 of 2',
      '#### Assistant (gpt-4o-mini)',
      '#### You',
      '#### Assistant (gpt-4o-mini) · version 1 of 2',
      '### From turn 4',
      '#### Assistant (gpt-4o-mini) · version 2 of 2',
    ]);
    for (const text of ['one, again', 'A2', 'one', 'A1', 'two', 'B1', 'B2']) expect(md).toContain(`\n${text}\n`);
  });

  it('answers 404 for a message of another conversation or user and for a made-up id, 422 for a bad one, changing nothing', async () => {
    const { id, second } = await twoExchanges();
    const other = await chat({ content: 'elsewhere' }, 'X');
    const bob = await createUser(ctx.t.app);
    const bobsChat = await api('POST', '/api/chat', { model: 'demo', content: 'bob here' }, bob);
    const bobs = parseSse(bobsChat.body).parts[0]!.messageMetadata as { user_message_id: string };
    for (const messageId of [other.userMessageId, bobs.user_message_id, crypto.randomUUID()]) {
      const res = await show(id, messageId);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('MESSAGE_NOT_FOUND');
    }
    // Bob cannot switch Alice's conversation, even to one of its own messages: it is not found.
    const foreign = await show(id, second.userMessageId, bob);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('CONVERSATION_NOT_FOUND');
    for (const payload of [{}, { message_id: 'nope' }, { message_id: second.replyId, extra: 1 }]) {
      const res = await api('PUT', `/api/conversations/${id}/current`, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(422);
    }
    expect((await shown(id)).map((m) => m.id).at(-1)).toBe(second.replyId);
    // Editing a message of another conversation is not found either.
    const edit = await api('POST', '/api/chat', { model: 'gpt-4o-mini', conversation_id: id, action: 'edit', message_id: other.userMessageId, content: 'x' });
    expect(edit.statusCode).toBe(404);
  });

  it('stops and resumes a regenerated reply after switching to another version meanwhile', async () => {
    const { id, second } = await twoExchanges();
    ctx.upstream.reset({ text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '), tokenDelayMs: 10 });
    const res = await fetch(`${ctx.url}/api/chat`, {
      method: 'POST',
      headers: { ...authHeader(ctx.user), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', conversation_id: id, action: 'regenerate' }),
    });
    const reader = readSse(res);
    const parts: SsePart[] = [];
    while (parts.filter((p) => p.type === 'text-delta').length < 2) parts.push((await reader.next()).value as SsePart);
    const replyId = parts[0]!.messageId as string;

    expect((await show(id, second.replyId)).statusCode).toBe(200);
    const resumed = await fetch(`${ctx.url}/api/chat/${id}/stream`, { headers: authHeader(ctx.user) });
    expect(resumed.status).toBe(200);
    expect((await api('POST', `/api/chat/${id}/stop`)).json()).toEqual({ message_id: replyId });
    for await (const part of reader) parts.push(part);
    const resumedParts: SsePart[] = [];
    for await (const part of readSse(resumed)) resumedParts.push(part);
    expect(textOf(resumedParts)).toBe(textOf(parts));

    expect(await messageRow(ctx.t, replyId)).toMatchObject({ status: 'stopped', content: textOf(parts) });
    const messages = await shown(id);
    expect(messages.at(-1)).toMatchObject({ id: second.replyId, versions: [second.replyId, replyId] });
    expect(ctx.meter.settles.filter((s) => s.messageId === replyId)).toHaveLength(1);
  });
});
