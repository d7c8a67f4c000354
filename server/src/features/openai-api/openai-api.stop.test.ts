// A client that goes away mid-call (the official client's stream.controller.abort(), or an abort
// signal on a plain completion): the upstream request is aborted at once, and the call is settled
// exactly once as 'stopped' at what was produced, with no reservation left behind.
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { expectInvariants } from '../../../test/invariants.js';
import { countTextTokens } from '../../lib/model-calls/tokenizer.js';
import { expectUpstreamAborted, waitFor } from '../chat/chat.test-support.js';
import { newClient, setupApiTest, usageRecords } from './openai-api.test-support.js';

const LONG_TEXT = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');

describe.each(testDbKinds())('a client leaving a /v1 call on %s', (kind) => {
  const ctx = setupApiTest(kind, { env: { DEMO_TOKEN_DELAY_MS: '20' } });

  /** Waits for the call's one usage record, then checks that nothing stays reserved. */
  async function settledRecord(userId: string) {
    const [record] = await waitFor(async () => {
      const records = await usageRecords(ctx, userId);
      return records.length ? records : undefined;
    });
    await expectInvariants(ctx.t.db, userId, { calls: 1 });
    return record!;
  }

  /** Streams a completion and aborts it after `deltas` pieces of text; answers the text received. */
  async function streamThenAbort(client: OpenAI, model: string, deltas: number): Promise<string> {
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Write a long answer' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let received = '';
    let pieces = 0;
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta.content;
      if (!text) continue;
      received += text;
      pieces += 1;
      if (pieces === deltas) stream.controller.abort();
    }
    return received;
  }

  it('aborts the upstream stream at once and settles what was produced as stopped', async () => {
    ctx.upstream.reset({ text: LONG_TEXT, tokenDelayMs: 15 });
    const { user, client } = await newClient(ctx);
    const received = await streamThenAbort(client, 'gpt-4o-mini', 3);
    expect(received).toBe('word0 word1 word2 ');

    await expectUpstreamAborted(ctx.upstream.requests[0]!);

    const record = await settledRecord(user.id);
    expect(record).toMatchObject({ outcome: 'stopped', usage_source: 'estimate', model: 'gpt-4o-mini', conversation_id: null });
    expect(record.output_tokens).toBeGreaterThanOrEqual(countTextTokens(received));
    expect(record.output_tokens).toBeLessThan(countTextTokens(LONG_TEXT) / 2);
  });

  it('stops the demo model too', async () => {
    const { user, client } = await newClient(ctx);
    const received = await streamThenAbort(client, 'demo', 4);
    const record = await settledRecord(user.id);
    expect(record).toMatchObject({ outcome: 'stopped', model: 'demo' });
    expect(record.output_tokens).toBeGreaterThanOrEqual(countTextTokens(received));
    expect(record.output_tokens).toBeLessThan(100);
  });

  it('aborts a completion that is not streamed when its request is aborted', async () => {
    ctx.upstream.reset({ text: LONG_TEXT, tokenDelayMs: 15 });
    const { user, client } = await newClient(ctx);
    const controller = new AbortController();
    const pending = client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Slow one' }] }, { signal: controller.signal })
      .catch((err: Error) => err);
    await waitFor(async () => (ctx.upstream.requests[0]?.tokensSent ?? 0) >= 3 || undefined);
    controller.abort();
    expect((await pending).constructor.name).toBe('APIUserAbortError');

    await expectUpstreamAborted(ctx.upstream.requests[0]!);
    const record = await settledRecord(user.id);
    expect(record.outcome).toBe('stopped');
    expect(record.output_tokens).toBeGreaterThanOrEqual(3);
  });

  it('settles a call whose client left before the first token at the prompt alone', async () => {
    ctx.upstream.reset({ firstTokenDelayMs: 2000 });
    const { user, client } = await newClient(ctx);
    const controller = new AbortController();
    const pending = client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello?' }], stream: true }, { signal: controller.signal })
      .catch((err: Error) => err);
    await waitFor(async () => ctx.upstream.requests[0]);
    controller.abort();
    await pending;
    await expectUpstreamAborted(ctx.upstream.requests[0]!);
    const record = await settledRecord(user.id);
    expect(record).toMatchObject({ outcome: 'stopped', output_tokens: 0 });
    expect(record.input_tokens).toBeGreaterThan(0);
  });
});
