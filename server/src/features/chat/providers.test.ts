// Each real provider adapter (AI SDK OpenAI, Anthropic, OpenAI-compatible), end to end through
// POST /api/chat against the fake upstream's byte-for-byte streaming formats.
import { describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { parseSse, textOf } from '../../../test/sse.js';
import { authHeader } from '../../../test/test-app.js';
import { countTextTokens } from '../../lib/model-calls/tokenizer.js';
import { FAKE_UPSTREAM_KEYS, messageRow, setupChatTest } from './chat.test-support.js';

const PROVIDERS = [
  {
    model: 'gpt-4o-mini',
    provider: 'openai',
    path: '/v1/chat/completions',
    auth: (h: Record<string, unknown>) => h.authorization === `Bearer ${FAKE_UPSTREAM_KEYS.openai}`,
  },
  {
    model: 'claude-haiku-4-5',
    provider: 'anthropic',
    path: '/v1/messages',
    auth: (h: Record<string, unknown>) => h['x-api-key'] === FAKE_UPSTREAM_KEYS.anthropic,
  },
  {
    model: 'llama3.1',
    provider: 'openai-compatible',
    path: '/v1/chat/completions',
    auth: (h: Record<string, unknown>) => h.authorization === `Bearer ${FAKE_UPSTREAM_KEYS.openaiCompatible}`,
  },
] as const;

describe.each(testDbKinds())('provider adapters through the fake upstream on %s', (kind) => {
  const ctx = setupChatTest(kind, {
    env: {
      OPENAI_COMPATIBLE_CONTEXT_WINDOW: '4000',
      OPENAI_COMPATIBLE_MAX_OUTPUT_TOKENS: '1000',
      UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '400',
      UPSTREAM_IDLE_TIMEOUT_MS: '400',
    },
  });
  const { meter } = ctx;

  const chat = (payload: object) => ctx.t.app.inject({ method: 'POST', url: '/api/chat', headers: authHeader(ctx.user), payload });
  const newConversation = async (body: object = {}) =>
    (await ctx.t.app.inject({ method: 'POST', url: '/api/conversations', headers: authHeader(ctx.user), payload: body })).json().id as string;

  describe.each(PROVIDERS)('$provider', ({ model, provider, path, auth }) => {
    it('streams the reply, stores it with the provider-reported usage and settles once', async () => {
      ctx.upstream.reset({ text: 'Streaming works end to end.', usage: { inputTokens: 123, outputTokens: 45 } });
      const conversation = await newConversation({ system_prompt: 'You are terse.' });
      const res = await chat({ model, conversation_id: conversation, content: 'Say something' });
      expect(res.statusCode).toBe(200);
      const { parts, done } = parseSse(res.body);
      expect(done).toBe(true);
      expect(textOf(parts)).toBe('Streaming works end to end.');
      const end = parts.find((p) => p.type === 'message-metadata')!.messageMetadata;
      expect(end).toEqual({ status: 'complete', usage: { input_tokens: 123, output_tokens: 45, total_tokens: 168 } });
      expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
      expect(await messageRow(ctx.t, parts[0]!.messageId)).toMatchObject({
        status: 'complete',
        content: 'Streaming works end to end.',
        input_tokens: 123,
        output_tokens: 45,
      });
      expect(meter.settles).toHaveLength(1);
      expect(meter.settles[0]).toMatchObject({ provider, model, inputTokens: 123, outputTokens: 45, source: 'provider', outcome: 'complete' });

      // What the provider received: our key, its model name, the system prompt and the message.
      expect(ctx.upstream.requests).toHaveLength(1);
      const request = ctx.upstream.requests[0]!;
      expect(request.path).toBe(path);
      expect(auth(request.headers)).toBe(true);
      expect(request.body.model).toBe(model);
      expect(request.body.stream).toBe(true);
      const sent = JSON.stringify(request.body);
      expect(sent).toContain('You are terse.');
      expect(sent).toContain('Say something');
      if (provider !== 'anthropic') expect(request.body.stream_options).toEqual({ include_usage: true });
    });

    it('passes the output cap granted by the meter to the provider, which stops there', async () => {
      meter.capTo = 4;
      ctx.upstream.reset({ text: 'one two three four five six seven eight' });
      const { parts } = parseSse((await chat({ model, content: 'Count' })).body);
      const request = ctx.upstream.requests[0]!;
      expect(request.body.max_tokens ?? request.body.max_completion_tokens).toBe(4);
      expect(textOf(parts)).toBe('one two three four ');
      expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'length' });
    });

    it('answers an upstream HTTP error with a 502 problem that carries none of the provider body', async () => {
      for (const status of [401, 429, 500]) {
        meter.reset();
        ctx.upstream.reset({ status });
        const res = await chat({ model, content: 'Hello?' });
        expect(res.statusCode).toBe(502);
        expect(res.headers['content-type']).toContain('application/problem+json');
        const problem = res.json();
        expect(problem).toMatchObject({ code: 'UPSTREAM_ERROR', upstream_status: status });
        expect(res.body).not.toMatch(/upstream-secret-detail|sk-live|sk-openai-test|sk-ant-test|local-key/);
        // The user's message was kept; the reply is stored as failed with a safe error.
        expect(await messageRow(ctx.t, problem.user_message_id)).toMatchObject({ role: 'user', content: 'Hello?' });
        const reply = await messageRow(ctx.t, problem.message_id);
        expect(reply).toMatchObject({ status: 'failed', content: '', error: problem.detail });
        // The provider refused, so it did no work: one usage record, of zero tokens.
        expect(meter.settles).toHaveLength(1);
        expect(meter.settles[0]).toMatchObject({ outcome: 'failed', inputTokens: 0, outputTokens: 0, source: 'estimate', messageId: problem.message_id });
      }
    });

    it('keeps the partial text and sends an error part when the connection breaks mid-reply', async () => {
      ctx.upstream.reset({ text: 'alpha beta gamma delta epsilon zeta', failAfterTokens: 3, tokenDelayMs: 5 });
      const res = await chat({ model, content: 'Go' });
      expect(res.statusCode).toBe(200);
      const { parts, done } = parseSse(res.body);
      expect(done).toBe(true);
      expect(textOf(parts)).toBe('alpha beta gamma ');
      expect(parts.map((p) => p.type).slice(-3)).toEqual(['text-end', 'message-metadata', 'error']);
      expect(parts.some((p) => p.type === 'finish')).toBe(false);
      const error = parts.at(-1)!;
      expect(error.errorText).toBe('The connection to the model provider broke off before the reply was complete.');
      expect(JSON.stringify(parts)).not.toMatch(/upstream-secret|terminated|other side closed/);
      expect(await messageRow(ctx.t, parts[0]!.messageId)).toMatchObject({ status: 'failed', content: 'alpha beta gamma ', error: error.errorText });
      expect(meter.settles).toHaveLength(1);
      expect(meter.settles[0]).toMatchObject({
        outcome: 'failed',
        source: 'estimate',
        outputTokens: countTextTokens('alpha beta gamma '),
        inputTokens: meter.reserves[0]!.promptTokens,
      });
    });

    it('answers 504 when the provider does not start in time, and aborts the upstream request', async () => {
      ctx.upstream.reset({ firstTokenDelayMs: 3000 });
      const started = Date.now();
      const res = await chat({ model, content: 'Anyone there?' });
      expect(res.statusCode).toBe(504);
      expect(res.json().code).toBe('UPSTREAM_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(2500);
      await ctx.upstream.requests[0]!.closed;
      expect(ctx.upstream.requests[0]!.aborted).toBe(true);
      expect(await messageRow(ctx.t, res.json().message_id)).toMatchObject({ status: 'failed' });
      expect(meter.settles).toHaveLength(1);
      expect(meter.settles[0]).toMatchObject({ outcome: 'failed', outputTokens: 0 });
    });

    it('ends with an error part when the provider stalls mid-reply', async () => {
      ctx.upstream.reset({ text: 'one two three four', stallAfterTokens: 2 });
      const { parts } = parseSse((await chat({ model, content: 'Go' })).body);
      expect(textOf(parts)).toBe('one two ');
      expect(parts.at(-1)).toEqual({ type: 'error', errorText: 'The model stopped sending its reply; try again.' });
      await ctx.upstream.requests[0]!.closed;
      expect(ctx.upstream.requests[0]!.aborted).toBe(true);
      expect(await messageRow(ctx.t, parts[0]!.messageId)).toMatchObject({ status: 'failed', content: 'one two ' });
      expect(meter.settles).toHaveLength(1);
    });

    it('sends the earlier turns in order, as the provider expects them', async () => {
      ctx.upstream.reset({ text: 'first answer' });
      const id = await newConversation();
      await chat({ model, conversation_id: id, content: 'first question' });
      ctx.upstream.reset({ text: 'second answer' });
      await chat({ model, conversation_id: id, content: 'second question' });
      const messages = ctx.upstream.requests[0]!.body.messages as { role: string; content: unknown }[];
      const turns = messages.map((m) => [m.role, JSON.stringify(m.content)]);
      expect(turns.map(([role]) => role)).toEqual(['user', 'assistant', 'user']);
      expect(turns[0]![1]).toContain('first question');
      expect(turns[1]![1]).toContain('first answer');
      expect(turns[2]![1]).toContain('second question');
    });
  });

  it('trims the history to the model context window, keeping the system prompt and the newest message', async () => {
    // llama3.1 here: 4,000-token window, 1,000-token output cap, so 3,000 tokens of prompt.
    const id = await newConversation({ system_prompt: 'SYSTEM-PROMPT-MARKER' });
    for (let n = 1; n <= 4; n++) {
      ctx.upstream.reset({ text: `answer ${n}` });
      await chat({ model: 'llama3.1', conversation_id: id, content: `question ${n} ${'hello '.repeat(900)}` });
    }
    ctx.upstream.reset({ text: 'final answer' });
    await chat({ model: 'llama3.1', conversation_id: id, content: 'newest question' });
    const messages = ctx.upstream.requests[0]!.body.messages as { role: string; content: string }[];
    expect(messages[0]).toEqual({ role: 'system', content: 'SYSTEM-PROMPT-MARKER' });
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'newest question' });
    // Each old question is ~900 tokens: only the newest three exchanges fit, oldest dropped first.
    const kept = messages.slice(1, -1);
    expect(kept[0]!.role).toBe('user');
    expect(kept.map((m) => m.content.slice(0, 11))).toEqual(['question 2 ', 'answer 2', 'question 3 ', 'answer 3', 'question 4 ', 'answer 4']);
    expect(countTextTokens(JSON.stringify(messages))).toBeLessThan(3000);
  });

  it('answers 502 UPSTREAM_UNAVAILABLE when the provider cannot be reached', async () => {
    ctx.upstream.reset({ dropConnection: true });
    const res = await chat({ model: 'gpt-4o-mini', content: 'hi' });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', detail: 'The model provider cannot be reached; try again later.' });
    expect(res.body).not.toMatch(/127\.0\.0\.1|other side closed|socket/i);
    expect(meter.settles).toMatchObject([{ outcome: 'failed', inputTokens: 0, outputTokens: 0 }]);
  });
});
