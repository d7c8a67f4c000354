import { describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { parseSse, textOf } from '../../../test/sse.js';
import { authHeader, createUser, type TestUser } from '../../../test/test-app.js';
import { countTextTokens } from '../../lib/model-calls/tokenizer.js';
import { quotaExceeded, setTier, setupChatTest } from './chat.test-support.js';

describe.each(testDbKinds())('POST /api/chat with the demo model on %s', (kind) => {
  // Paid models behind the fake upstream, to check that refusals happen before any upstream call;
  // the user is on the free plan, which has the demo model only.
  const ctx = setupChatTest(kind, { tier: 'free' });
  const { meter } = ctx;

  const chat = (user: TestUser, payload: object) => ctx.t.app.inject({ method: 'POST', url: '/api/chat', headers: authHeader(user), payload });
  const getConversation = (user: TestUser, id: string) => ctx.t.app.inject({ method: 'GET', url: `/api/conversations/${id}`, headers: authHeader(user) });
  const countRows = async (table: string, userId: string) =>
    (await ctx.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [userId])).rows[0]!.n;

  it('creates a conversation, stores both messages and streams the UI message protocol in order', async () => {
    const res = await chat(ctx.user, { model: 'demo', content: 'What can you do?' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    expect(res.headers['x-vercel-ai-ui-message-stream']).toBe('v1');
    const { parts, done } = parseSse(res.body);
    expect(done).toBe(true);
    expect(res.body.endsWith('data: [DONE]\n\n')).toBe(true);

    const types = parts.map((p) => p.type).filter((type, i, all) => type !== 'text-delta' || all[i - 1] !== 'text-delta');
    expect(types).toEqual(['start', 'data-conversation', 'text-start', 'text-delta', 'text-end', 'message-metadata', 'finish']);
    const [start, conversationPart] = parts;
    const { conversation_id, user_message_id, model } = start!.messageMetadata;
    expect(model).toBe('demo');
    expect(conversationPart!.data).toEqual({ id: conversation_id, title: 'What can you do?' });

    const text = textOf(parts);
    expect(text).toContain('You wrote (5 tokens): "What can you do?"');
    expect(text).toContain('OPENAI_API_KEY');
    const end = parts.find((p) => p.type === 'message-metadata')!.messageMetadata;
    expect(end.status).toBe('complete');
    expect(end.usage.output_tokens).toBe(countTextTokens(text));
    expect(end.usage.total_tokens).toBe(end.usage.input_tokens + end.usage.output_tokens);

    const stored = (await getConversation(ctx.user, conversation_id)).json();
    expect(stored).toMatchObject({ id: conversation_id, title: 'What can you do?', model: 'demo' });
    expect(stored.messages.map((m: { id: string; role: string; status: string }) => [m.id, m.role, m.status])).toEqual([
      [user_message_id, 'user', 'complete'],
      [start!.messageId, 'assistant', 'complete'],
    ]);
    expect(stored.messages[1]).toMatchObject({
      content: text,
      model: 'demo',
      error: null,
      input_tokens: end.usage.input_tokens,
      output_tokens: end.usage.output_tokens,
    });
  });

  it('settles the call exactly once with the usage the model reported', async () => {
    const res = await chat(ctx.user, { model: 'demo', content: 'Count me' });
    const { parts } = parseSse(res.body);
    const start = parts[0]!;
    const usage = parts.find((p) => p.type === 'message-metadata')!.messageMetadata.usage;
    expect(meter.reserves).toHaveLength(1);
    expect(meter.settles).toEqual([
      {
        requestId: meter.reserves[0]!.requestId,
        userId: ctx.user.id,
        conversationId: start.messageMetadata.conversation_id,
        messageId: start.messageId,
        // A personal chat: charged to no key and no team.
        keyId: null,
        teamId: null,
        provider: 'demo',
        model: 'demo',
        inputTokens: usage.input_tokens,
        outputTokens: usage.output_tokens,
        source: 'provider',
        outcome: 'complete',
      },
    ]);
    expect(meter.reserves[0]).toMatchObject({
      user: { id: ctx.user.id },
      model: 'demo',
      maxOutputTokens: 2048,
      promptTokens: usage.input_tokens,
      messageId: start.messageId,
    });
    expect(meter.releases).toEqual([]);
  });

  it('sends the earlier messages and the system prompt to the model', async () => {
    const created = await ctx.t.app.inject({
      method: 'POST',
      url: '/api/conversations',
      headers: authHeader(ctx.user),
      payload: { system_prompt: 'Answer like a pirate.' },
    });
    const id = created.json().id;
    await chat(ctx.user, { model: 'demo', conversation_id: id, content: 'First question' });
    const second = parseSse((await chat(ctx.user, { model: 'demo', conversation_id: id, content: 'Second question' })).body);
    const text = textOf(second.parts);
    expect(text).toContain('holds 2 earlier messages and this system prompt: "Answer like a pirate."');
    expect(second.parts[1]!.data).toEqual({ id, title: 'First question' });
    expect((await getConversation(ctx.user, id)).json().messages).toHaveLength(4);
    const stored = await ctx.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [id]);
    expect(stored.rows[0]!.n).toBe(4);
  });

  it('stops at the output cap the meter grants', async () => {
    meter.capTo = 12;
    const { parts } = parseSse((await chat(ctx.user, { model: 'demo', content: 'Tell me a long story' })).body);
    const usage = parts.find((p) => p.type === 'message-metadata')!.messageMetadata.usage;
    expect(usage.output_tokens).toBeLessThanOrEqual(12);
    expect(usage.output_tokens).toBeGreaterThan(5);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'length' });
  });

  describe('refusals before the stream starts', () => {
    it('answers 404 MODEL_NOT_FOUND for an unknown model and 403 MODEL_NOT_ALLOWED for a model outside the plan', async () => {
      const before = await countRows('messages', ctx.user.id);
      const unknown = await chat(ctx.user, { model: 'gpt-9', content: 'hi' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.headers['content-type']).toContain('application/problem+json');
      expect(unknown.json().code).toBe('MODEL_NOT_FOUND');
      const paid = await chat(ctx.user, { model: 'gpt-4o-mini', content: 'hi' });
      expect(paid.statusCode).toBe(403);
      expect(paid.json().code).toBe('MODEL_NOT_ALLOWED');
      expect(ctx.upstream.requests).toHaveLength(0);
      expect(meter.reserves).toHaveLength(0);
      expect(await countRows('messages', ctx.user.id)).toBe(before);
    });

    it('answers 429 from the meter with nothing stored and no upstream call', async () => {
      const bob = await createUser(ctx.t.app);
      await setTier(ctx.t, bob, 'starter');
      meter.refuse = quotaExceeded();
      const res = await chat(bob, { model: 'gpt-4o-mini', content: 'hi' });
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({ code: 'QUOTA_EXCEEDED', detail: 'No tokens left this month.' });
      expect(await countRows('conversations', bob.id)).toBe(0);
      expect(await countRows('messages', bob.id)).toBe(0);
      expect(ctx.upstream.requests).toHaveLength(0);
      expect(meter.settles).toHaveLength(0);
    });

    it('answers 422 for bad bodies', async () => {
      const id = (await ctx.t.app.inject({ method: 'POST', url: '/api/conversations', headers: authHeader(ctx.user), payload: {} })).json().id;
      for (const payload of [
        { model: 'demo' },
        { model: 'demo', content: '   ' },
        { content: 'no model' },
        { model: 'demo', content: 'x'.repeat(100_001) },
        { model: 'demo', content: 'hi', extra: true },
        { model: 'demo', action: 'regenerate' },
        { model: 'demo', action: 'regenerate', conversation_id: id, content: 'not allowed' },
        { model: 'demo', action: 'edit', conversation_id: id, content: 'no message id' },
        { model: 'demo', action: 'fly', content: 'hi' },
        { model: 'demo', conversation_id: 'not-a-uuid', content: 'hi' },
      ]) {
        const res = await chat(ctx.user, payload);
        expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(422);
        expect(res.json().code).toBe('VALIDATION_FAILED');
      }
      expect(meter.reserves).toHaveLength(0);
    });

    it('answers 401 without a token', async () => {
      const res = await ctx.t.app.inject({ method: 'POST', url: '/api/chat', payload: { model: 'demo', content: 'hi' } });
      expect(res.statusCode).toBe(401);
    });
  });

  describe('regenerate and edit', () => {
    async function conversationWithTwoExchanges() {
      const first = parseSse((await chat(ctx.user, { model: 'demo', content: 'one' })).body).parts[0]!;
      const id = first.messageMetadata.conversation_id as string;
      await chat(ctx.user, { model: 'demo', conversation_id: id, content: 'two' });
      return { id, messages: (await getConversation(ctx.user, id)).json().messages as { id: string; role: string; content: string }[] };
    }

    type Shown = { id: string; role: string; content: string; versions: string[] };

    it('regenerate keeps the earlier reply as a version and shows the new one', async () => {
      const { id, messages } = await conversationWithTwoExchanges();
      const res = await chat(ctx.user, { model: 'demo', conversation_id: id, action: 'regenerate' });
      const { parts } = parseSse(res.body);
      expect(parts[0]!.messageMetadata.user_message_id).toBe(messages[2]!.id);
      expect(textOf(parts)).toContain('"two"');
      expect(textOf(parts)).toContain('holds 2 earlier messages');
      const after = (await getConversation(ctx.user, id)).json().messages as Shown[];
      expect(after.map((m) => m.id)).toEqual([messages[0]!.id, messages[1]!.id, messages[2]!.id, parts[0]!.messageId]);
      expect(after[3]!.content).toBe(textOf(parts));
      expect(after[3]!.versions).toEqual([messages[3]!.id, parts[0]!.messageId]);
      expect(after[2]!.versions).toEqual([messages[2]!.id]);
    });

    it('edit writes a new version of the message beside the old one, which keeps what followed it', async () => {
      const { id, messages } = await conversationWithTwoExchanges();
      const res = await chat(ctx.user, { model: 'demo', conversation_id: id, action: 'edit', message_id: messages[0]!.id, content: 'one, edited' });
      const { parts } = parseSse(res.body);
      expect(textOf(parts)).toContain('"one, edited"');
      expect(textOf(parts)).toContain('holds 0 earlier messages');
      const edited = parts[0]!.messageMetadata.user_message_id as string;
      expect(edited).not.toBe(messages[0]!.id);
      const after = (await getConversation(ctx.user, id)).json().messages as Shown[];
      expect(after.map((m) => [m.id, m.content])).toEqual([
        [edited, 'one, edited'],
        [parts[0]!.messageId, textOf(parts)],
      ]);
      expect(after[0]!.versions).toEqual([messages[0]!.id, edited]);
      // The first version and everything after it are still there, word for word.
      const { rows } = await ctx.t.db.query<{ id: string; content: string }>('SELECT id, content FROM messages WHERE conversation_id = $1 ORDER BY seq', [id]);
      expect(rows.slice(0, 4)).toEqual(messages.map((m) => ({ id: m.id, content: m.content })));
    });

    it('refuses to edit a reply (422), a message that is not there (404), or to regenerate in an empty conversation (409)', async () => {
      const { id, messages } = await conversationWithTwoExchanges();
      const reply = await chat(ctx.user, { model: 'demo', conversation_id: id, action: 'edit', message_id: messages[1]!.id, content: 'x' });
      expect(reply.statusCode).toBe(422);
      const missing = await chat(ctx.user, { model: 'demo', conversation_id: id, action: 'edit', message_id: crypto.randomUUID(), content: 'x' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().code).toBe('MESSAGE_NOT_FOUND');
      const empty = (await ctx.t.app.inject({ method: 'POST', url: '/api/conversations', headers: authHeader(ctx.user), payload: {} })).json().id;
      const nothing = await chat(ctx.user, { model: 'demo', conversation_id: empty, action: 'regenerate' });
      expect(nothing.statusCode).toBe(409);
      expect(nothing.json().code).toBe('NOTHING_TO_REGENERATE');
      expect((await getConversation(ctx.user, id)).json().messages).toHaveLength(4);
      const stored = await ctx.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [id]);
      expect(stored.rows[0]!.n).toBe(4);
    });
  });

  it('keeps a long conversation within the context window, dropping the oldest messages first', async () => {
    const id = (
      await ctx.t.app.inject({ method: 'POST', url: '/api/conversations', headers: authHeader(ctx.user), payload: { system_prompt: 'Be brief.' } })
    ).json().id;
    // The demo model takes 16,384 - 2,048 = 14,336 prompt tokens; each of these messages is 5,001.
    const big = 'hello '.repeat(5000);
    expect(countTextTokens(big)).toBe(5001);
    for (let n = 1; n <= 3; n++) await chat(ctx.user, { model: 'demo', conversation_id: id, content: big });
    meter.reset();
    const { parts } = parseSse((await chat(ctx.user, { model: 'demo', conversation_id: id, content: 'and now?' })).body);
    // Three big messages no longer fit: the first exchange (message and reply) is left out, the
    // two newer exchanges, the system prompt and the new message are sent.
    expect(textOf(parts)).toContain('holds 4 earlier messages');
    expect(textOf(parts)).toContain('this system prompt: "Be brief."');
    expect(meter.reserves[0]!.promptTokens).toBeLessThanOrEqual(16_384 - 2_048);
    expect(meter.reserves[0]!.promptTokens).toBeGreaterThan(10_000);
  });

  it('refuses a message that alone does not fit the context window (422 PROMPT_TOO_LONG)', async () => {
    const res = await chat(ctx.user, { model: 'demo', content: 'word '.repeat(15_000) });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'PROMPT_TOO_LONG', max_prompt_tokens: 16_384 - 2_048 });
    expect(meter.reserves).toHaveLength(0);
  });
});
