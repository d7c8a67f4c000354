// Stopping a reply, and not stopping it: over real HTTP, the way a browser does. Stop is an
// explicit request (POST /api/chat/{conversation_id}/stop): the server aborts the upstream at once,
// the reader gets the rest of what was generated and then the end with the usage, so the stored
// 'stopped' reply is exactly the text the reader saw, settled once. A closed connection no longer
// stops anything: the reply runs to its end, stored and metered, with nobody reading it.
import { describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { sleep } from '../../../test/fake-upstream.js';
import { readSse, textOf, type SsePart } from '../../../test/sse.js';
import { authHeader, createUser } from '../../../test/test-app.js';
import { composeDemoReply } from '../../lib/model-calls/providers/demo-reply.js';
import { countTextTokens } from '../../lib/model-calls/tokenizer.js';
import { expectUpstreamAborted, messageRow, setupChatTest, waitFor } from './chat.test-support.js';

const LONG_TEXT = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');

describe.each(testDbKinds())('stopping a reply on %s', (kind) => {
  const ctx = setupChatTest(kind, { env: { DEMO_TOKEN_DELAY_MS: '50' }, listen: true });
  const { meter } = ctx;
  const json = (user = ctx.user) => ({ ...authHeader(user), 'content-type': 'application/json' });

  const postStop = (conversationId: string, user = ctx.user) =>
    fetch(`${ctx.url}/api/chat/${conversationId}/stop`, { method: 'POST', headers: authHeader(user) });

  /**
   * Posts a chat message and reads the stream; after `deltas` text parts, `then` runs (a Stop, or
   * an abort of this request). Returns the parts read until the stream ended or was aborted.
   */
  async function chatUntil(
    body: object,
    deltas: number,
    then: (ids: { conversationId: string; messageId: string; abort: () => void }) => Promise<void> | void,
  ) {
    const controller = new AbortController();
    const res = await fetch(`${ctx.url}/api/chat`, { method: 'POST', headers: json(), body: JSON.stringify(body), signal: controller.signal });
    expect(res.status).toBe(200);
    const parts: SsePart[] = [];
    let acted = false;
    try {
      for await (const part of readSse(res)) {
        parts.push(part);
        if (!acted && parts.filter((p) => p.type === 'text-delta').length === deltas) {
          acted = true;
          await then({
            conversationId: parts[0]!.messageMetadata.conversation_id as string,
            messageId: parts[0]!.messageId as string,
            abort: () => controller.abort(),
          });
        }
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    }
    return { messageId: parts[0]!.messageId as string, received: textOf(parts), parts };
  }

  const endedRow = (id: string) =>
    waitFor(async () => {
      const row = await messageRow(ctx.t, id);
      return row && row.status !== 'streaming' ? row : undefined;
    });

  describe.each([
    { model: 'gpt-4o-mini', label: 'OpenAI' },
    { model: 'claude-haiku-4-5', label: 'Anthropic' },
  ])('$label', ({ model }) => {
    it('Stop aborts the upstream request; the stored reply is exactly what the reader saw, with its usage, settled once', async () => {
      // Slow enough that a busy machine cannot finish the reply before the Stop arrives.
      ctx.upstream.reset({ text: LONG_TEXT, tokenDelayMs: 40 });
      const { messageId, received, parts } = await chatUntil({ model, content: 'Write a lot' }, 3, async ({ conversationId, messageId: id }) => {
        const res = await postStop(conversationId);
        expect(res.status).toBe(202);
        expect(await res.json()).toEqual({ message_id: id });
      });
      const end = parts.find((p) => p.type === 'message-metadata');
      expect(end?.messageMetadata.status).toBe('stopped');
      expect(parts.at(-1)).toMatchObject({ type: 'finish' });

      const row = await endedRow(messageId);
      expect(row.status).toBe('stopped');
      expect(row.content).toBe(received);
      expect(LONG_TEXT.startsWith(row.content)).toBe(true);
      expect(row.content.length).toBeLessThan(LONG_TEXT.length / 2);

      await expectUpstreamAborted(ctx.upstream.requests[0]!);
      expect(meter.settles).toHaveLength(1);
      expect(meter.settles[0]).toMatchObject({
        messageId,
        outcome: 'stopped',
        source: 'estimate',
        inputTokens: meter.reserves[0]!.promptTokens,
        outputTokens: countTextTokens(row.content),
      });
      // The count the reader was given is the one stored: it shows without a reload.
      expect(end?.messageMetadata.usage).toEqual({
        input_tokens: row.input_tokens,
        output_tokens: row.output_tokens,
        total_tokens: row.input_tokens! + row.output_tokens!,
      });
      await sleep(100);
      expect(meter.settles).toHaveLength(1);
    });

    it('a closed connection does not stop the reply: it is generated to its end, stored complete and settled once', async () => {
      ctx.upstream.reset({ text: LONG_TEXT, tokenDelayMs: 2 });
      const { messageId, received } = await chatUntil({ model, content: 'Write a lot' }, 3, ({ abort }) => abort());
      const row = await endedRow(messageId);
      expect(row).toMatchObject({ status: 'complete', content: LONG_TEXT });
      expect(LONG_TEXT.startsWith(received)).toBe(true);
      expect(ctx.upstream.requests[0]!.aborted).toBe(false);
      expect(meter.settles).toMatchObject([{ messageId, outcome: 'complete', source: 'provider' }]);
    });
  });

  it('stops the demo model at once too', async () => {
    const { messageId, received } = await chatUntil({ model: 'demo', content: 'Give me a long answer' }, 5, async ({ conversationId }) => {
      expect((await postStop(conversationId)).status).toBe(202);
    });
    const row = await endedRow(messageId);
    expect(row).toMatchObject({ status: 'stopped', content: received });
    const full = composeDemoReply({ system: undefined, messages: [{ role: 'user', content: 'Give me a long answer' }] });
    expect(full.startsWith(row.content)).toBe(true);
    expect(row.content.length).toBeLessThan(full.length / 4);
    expect(meter.settles).toMatchObject([{ outcome: 'stopped', outputTokens: countTextTokens(row.content) }]);
  });

  it('stops a reply before its first token; a client that leaves then does not', async () => {
    const created = await ctx.t.app.inject({ method: 'POST', url: '/api/conversations', headers: authHeader(ctx.user), payload: {} });
    const conversationId = created.json<{ id: string }>().id;
    ctx.upstream.reset({ firstTokenDelayMs: 1000 });
    const pending = fetch(`${ctx.url}/api/chat`, {
      method: 'POST',
      headers: json(),
      body: JSON.stringify({ model: 'gpt-4o-mini', content: 'Slow one', conversation_id: conversationId }),
    });
    await waitFor(async () => ctx.upstream.requests[0]);
    expect((await postStop(conversationId)).status).toBe(202);
    const parts: SsePart[] = [];
    for await (const part of readSse(await pending)) parts.push(part);
    expect(parts.find((p) => p.type === 'message-metadata')?.messageMetadata.status).toBe('stopped');
    await expectUpstreamAborted(ctx.upstream.requests[0]!);
    expect(meter.settles).toMatchObject([{ outcome: 'stopped', outputTokens: 0 }]);
    expect(await endedRow(parts[0]!.messageId as string)).toMatchObject({ status: 'stopped', content: '' });

    meter.reset();
    ctx.upstream.reset({ firstTokenDelayMs: 300, text: 'Still here.' });
    const leaving = new AbortController();
    const left = fetch(`${ctx.url}/api/chat`, {
      method: 'POST',
      headers: json(),
      body: JSON.stringify({ model: 'gpt-4o-mini', content: 'Slow again', conversation_id: conversationId }),
      signal: leaving.signal,
    }).catch((err: Error) => err);
    await waitFor(async () => ctx.upstream.requests[0]);
    leaving.abort();
    expect(((await left) as Error).name).toBe('AbortError');
    const settle = await waitFor(async () => meter.settles[0]);
    expect(settle).toMatchObject({ outcome: 'complete' });
    expect(await endedRow(settle.messageId!)).toMatchObject({ status: 'complete', content: 'Still here.' });
  });

  it('answers 204 when nothing is being written, and 404 for a conversation of someone else', async () => {
    const created = await ctx.t.app.inject({ method: 'POST', url: '/api/conversations', headers: authHeader(ctx.user), payload: {} });
    const conversationId = created.json<{ id: string }>().id;
    expect((await postStop(conversationId)).status).toBe(204);
    const other = await createUser(ctx.t.app);
    const res = await postStop(conversationId, other);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
  });
});
