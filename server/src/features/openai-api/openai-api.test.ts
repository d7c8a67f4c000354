// The OpenAI-compatible API through the official `openai` client, as a developer uses it: models,
// completions and streamed completions against the demo model and, through the AI SDK's OpenAI
// adapter, the fake upstream. Every call is metered like a chat: the usage it reports is exactly
// what usage_records and monthly_usage moved by, and no conversation is stored.
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { expectInvariants } from '../../../test/invariants.js';
import { authHeader } from '../../../test/test-app.js';
import { composeDemoReply } from '../../lib/model-calls/providers/demo-reply.js';
import { API_TEST_NOW, newClient, setupApiTest, storedChatRows, usageRecords } from './openai-api.test-support.js';

const UPSTREAM_TEXT = 'Streaming works end to end.';
const MODELS = [
  { model: 'demo', provider: 'demo' },
  { model: 'gpt-4o-mini', provider: 'openai' },
] as const;

describe.each(testDbKinds())('the OpenAI-compatible API with the official client on %s', (kind) => {
  const ctx = setupApiTest(kind);
  const recordedRequestId = async (userId: string) =>
    (await ctx.t.db.query<{ request_id: string }>('SELECT request_id FROM usage_records WHERE user_id = $1', [userId])).rows[0]?.request_id;

  /** What the reply should say: the demo's deterministic text, or the fake upstream's. */
  const expectedText = (model: string, system: string | undefined, content: string) =>
    model === 'demo' ? composeDemoReply({ system, messages: [{ role: 'user', content }] }) : UPSTREAM_TEXT;

  describe('client.models.list()', () => {
    it("lists only the models of the key owner's tier, in OpenAI's format", async () => {
      const free = await newClient(ctx, 'free');
      const page = await free.client.models.list();
      expect(page.data).toEqual([{ id: 'demo', object: 'model', created: API_TEST_NOW.getTime() / 1000, owned_by: 'demo' }]);

      const starter = await newClient(ctx, 'starter');
      const models = (await starter.client.models.list()).data;
      expect(models.map((m) => [m.id, m.owned_by])).toEqual([
        ['demo', 'demo'],
        ['gpt-4o-mini', 'openai'],
        ['claude-haiku-4-5', 'anthropic'],
        ['llama3.1', 'openai-compatible'],
      ]);
    });
  });

  describe.each(MODELS)('client.chat.completions.create with $model', ({ model, provider }) => {
    it('answers a chat.completion whose usage is exactly what was recorded, and stores no conversation', async () => {
      ctx.upstream.reset({ text: UPSTREAM_TEXT, usage: { inputTokens: 31, outputTokens: 9 } });
      const { user, client } = await newClient(ctx);
      const completion = await client.chat.completions.create({
        model,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello there' },
        ],
      });
      expect(completion).toMatchObject({ id: expect.stringMatching(/^chatcmpl-/), object: 'chat.completion', model, created: API_TEST_NOW.getTime() / 1000 });
      expect(completion.choices).toEqual([
        {
          index: 0,
          message: { role: 'assistant', content: expectedText(model, 'Be brief.', 'Hello there'), refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ]);
      const usage = completion.usage!;
      if (model !== 'demo') expect(usage).toEqual({ prompt_tokens: 31, completion_tokens: 9, total_tokens: 40 });
      expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);

      expect(await usageRecords(ctx, user.id)).toEqual([
        {
          model,
          provider,
          input_tokens: usage.prompt_tokens,
          output_tokens: usage.completion_tokens,
          total_tokens: usage.total_tokens,
          conversation_id: null,
          message_id: null,
          usage_source: 'provider',
          outcome: 'complete',
        },
      ]);
      const state = await expectInvariants(ctx.t.db, user.id, { calls: 1 });
      expect(state.total).toBe(usage.total_tokens);
      expect(await storedChatRows(ctx, user.id)).toBe(0);
      // The completion's id names its usage record: a caller can find the call in its usage.
      expect(completion.id).toBe(`chatcmpl-${await recordedRequestId(user.id)}`);
    });

    it('streams chat.completion.chunk events and, with include_usage, a last chunk with the recorded usage', async () => {
      ctx.upstream.reset({ text: UPSTREAM_TEXT, usage: { inputTokens: 12, outputTokens: 6 } });
      const { user, client } = await newClient(ctx);
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Stream please' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);

      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      for (const c of chunks) expect(c).toMatchObject({ object: 'chat.completion.chunk', model });
      expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
      const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
      expect(text).toBe(expectedText(model, undefined, 'Stream please'));
      expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(2); // token by token
      const finish = chunks.at(-2)!;
      expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
      const last = chunks.at(-1)!;
      expect(last.choices).toEqual([]);
      const usage = last.usage!;
      if (model !== 'demo') expect(usage).toEqual({ prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 });
      for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();

      const [record] = await usageRecords(ctx, user.id);
      expect(record).toMatchObject({
        model,
        input_tokens: usage.prompt_tokens,
        output_tokens: usage.completion_tokens,
        outcome: 'complete',
        conversation_id: null,
      });
      expect((await expectInvariants(ctx.t.db, user.id, { calls: 1 })).total).toBe(usage.total_tokens);
      expect(await storedChatRows(ctx, user.id)).toBe(0);
      expect(chunks[0]!.id).toBe(`chatcmpl-${await recordedRequestId(user.id)}`);
    });

    it('stops at max_tokens with finish_reason "length", having reserved no more than that for the reply', async () => {
      ctx.upstream.reset({ text: 'one two three four five six seven eight nine ten' });
      const { user, client } = await newClient(ctx);
      const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Count' }], max_tokens: 4 });
      expect(completion.choices[0]!.finish_reason).toBe('length');
      expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(4);
      if (model !== 'demo') expect(ctx.upstream.requests[0]!.body.max_tokens ?? ctx.upstream.requests[0]!.body.max_completion_tokens).toBe(4);
      await expectInvariants(ctx.t.db, user.id, { calls: 1 });
    });
  });

  it('passes temperature, top_p, stop and max_completion_tokens on to the provider', async () => {
    const { client } = await newClient(ctx);
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.3,
      top_p: 0.9,
      stop: ['END'],
      max_completion_tokens: 50,
    });
    const sent = ctx.upstream.requests[0]!.body;
    expect(sent).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.3, top_p: 0.9, stop: ['END'] });
    expect(sent.max_tokens ?? sent.max_completion_tokens).toBe(50);
  });

  it('takes text parts and system or developer messages, and ignores the fields it does not use', async () => {
    const { client } = await newClient(ctx);
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'First part.' },
            { type: 'text', text: 'Second part.' },
          ],
          name: 'ada',
        },
        { role: 'assistant', content: null, refusal: null },
        { role: 'user', content: 'Go on' },
      ],
      // Fields the official client may send that this server does not use.
      n: 1,
      seed: 7,
      user: 'user-1234',
      logprobs: false,
      presence_penalty: 0,
      metadata: { team: 'docs' },
      stream: false,
    });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const sent = ctx.upstream.requests[0]!.body as { messages: { role: string; content: unknown }[] };
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'You are terse.\n\nAnswer in English.' });
    expect(JSON.stringify(sent.messages[1])).toContain('First part.\\nSecond part.');
    expect(JSON.stringify(sent)).not.toMatch(/user-1234|docs|"seed"/);
  });

  it('answers SSE lines that end with data: [DONE], and no usage fields without include_usage', async () => {
    const { key } = await newClient(ctx);
    const res = await fetch(`${ctx.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    for (const c of chunks) expect(c).not.toHaveProperty('usage');
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });

  it('shows the calls in /api/usage by model, next to the chat', async () => {
    ctx.upstream.reset({ usage: { inputTokens: 20, outputTokens: 5 } });
    const { user, client } = await newClient(ctx);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one' }] });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'two' }] });
    const chat = await ctx.t.app.inject({ method: 'POST', url: '/api/chat', headers: authHeader(user), payload: { model: 'demo', content: 'three' } });
    expect(chat.statusCode).toBe(200);
    const usage = (await ctx.t.app.inject({ method: 'GET', url: '/api/usage', headers: authHeader(user) })).json();
    expect(usage.by_model).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ model: 'gpt-4o-mini', requests: 2, input_tokens: 40, output_tokens: 10, total_tokens: 50 }),
        expect.objectContaining({ model: 'demo', requests: 1 }),
      ]),
    );
    expect(usage.requests).toBe(3);
  });
});
