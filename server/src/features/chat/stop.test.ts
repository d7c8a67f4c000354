// Stopping a reply the way a browser does: over real HTTP, the client aborts its fetch mid-stream.
// The server must notice the closed connection, abort the upstream request at once, keep the
// partial text as a 'stopped' reply, and settle the usage exactly once.
import { describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { sleep } from '../../../test/fake-upstream.js';
import { readSse, type SsePart } from '../../../test/sse.js';
import { authHeader } from '../../../test/test-app.js';
import { composeDemoReply } from '../../lib/model-calls/providers/demo-reply.js';
import { countTextTokens } from '../../lib/model-calls/tokenizer.js';
import { expectUpstreamAborted, messageRow, setupChatTest, waitFor } from './chat.test-support.js';

const LONG_TEXT = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');

describe.each(testDbKinds())('stopping a reply on %s', (kind) => {
  const ctx = setupChatTest(kind, { env: { DEMO_TOKEN_DELAY_MS: '20' }, listen: true });
  const { meter } = ctx;

  /** Posts a chat message over real HTTP, reads `deltas` text parts, then aborts the request. */
  async function chatThenStop(body: object, deltas: number) {
    const controller = new AbortController();
    const res = await fetch(`${ctx.url}/api/chat`, {
      method: 'POST',
      headers: { ...authHeader(ctx.user), 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const parts: SsePart[] = [];
    try {
      for await (const part of readSse(res)) {
        parts.push(part);
        if (parts.filter((p) => p.type === 'text-delta').length === deltas) controller.abort();
      }
    } catch (err) {
      expect((err as Error).name).toBe('AbortError');
    }
    const received = parts
      .filter((p) => p.type === 'text-delta')
      .map((p) => p.delta)
      .join('');
    return { messageId: parts[0]!.messageId as string, received, parts };
  }

  const stoppedRow = (id: string) =>
    waitFor(async () => {
      const row = await messageRow(ctx.t, id);
      return row && row.status !== 'streaming' ? row : undefined;
    });

  describe.each([
    { model: 'gpt-4o-mini', label: 'OpenAI' },
    { model: 'claude-haiku-4-5', label: 'Anthropic' },
  ])('$label', ({ model }) => {
    it('aborts the upstream request, stores the partial reply as stopped and settles once', async () => {
      ctx.upstream.reset({ text: LONG_TEXT, tokenDelayMs: 15 });
      const { messageId, received, parts } = await chatThenStop({ model, content: 'Write a lot' }, 3);
      expect(parts.map((p) => p.type)).not.toContain('finish');

      const row = await stoppedRow(messageId);
      expect(row.status).toBe('stopped');
      // The server kept what it had received: at least what reached the client, a prefix of the reply.
      expect(row.content.startsWith(received)).toBe(true);
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
      expect(row).toMatchObject({ input_tokens: meter.reserves[0]!.promptTokens, output_tokens: countTextTokens(row.content) });
      await sleep(100);
      expect(meter.settles).toHaveLength(1);
    });
  });

  it('stops the demo model at once too', async () => {
    const { messageId, received } = await chatThenStop({ model: 'demo', content: 'Give me a long answer' }, 5);
    const row = await stoppedRow(messageId);
    expect(row.status).toBe('stopped');
    expect(row.content.startsWith(received)).toBe(true);
    const full = composeDemoReply({ system: undefined, messages: [{ role: 'user', content: 'Give me a long answer' }] });
    expect(full.startsWith(row.content)).toBe(true);
    expect(row.content.length).toBeLessThan(full.length / 4);
    expect(meter.settles).toMatchObject([{ outcome: 'stopped', outputTokens: countTextTokens(row.content) }]);
  });

  it('handles a client that leaves before the first token', async () => {
    ctx.upstream.reset({ firstTokenDelayMs: 2000 });
    const controller = new AbortController();
    const pending = fetch(`${ctx.url}/api/chat`, {
      method: 'POST',
      headers: { ...authHeader(ctx.user), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', content: 'Slow one' }),
      signal: controller.signal,
    }).catch((err: Error) => err);
    await waitFor(async () => ctx.upstream.requests[0]);
    controller.abort();
    expect(((await pending) as Error).name).toBe('AbortError');

    await expectUpstreamAborted(ctx.upstream.requests[0]!);
    const settle = await waitFor(async () => meter.settles[0]);
    expect(settle).toMatchObject({ outcome: 'stopped', outputTokens: 0 });
    expect(await stoppedRow(settle.messageId!)).toMatchObject({ status: 'stopped', content: '' });
    await sleep(100);
    expect(meter.settles).toHaveLength(1);
  });
});
