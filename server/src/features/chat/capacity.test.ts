// Past MAX_CONCURRENT_STREAMS, a new model call is refused before anything is reserved or stored,
// with 503 and Retry-After (OpenAI's error shape under /v1), while the calls in flight go on.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { parseSse, textOf } from '../../../test/sse.js';
import { authHeader, createApiKey } from '../../../test/test-app.js';
import { openAiClient } from '../openai-api/openai-api.test-support.js';
import { messageRow, setupChatTest, waitFor } from './chat.test-support.js';

const SLOW = 'one two three four five six seven eight nine ten';

describe.each(testDbKinds())('capacity of one process on %s', (kind) => {
  const ctx = setupChatTest(kind, { env: { MAX_CONCURRENT_STREAMS: '1', STREAM_QUEUE_TIMEOUT_MS: '0' }, listen: true });

  const chat = (content: string) =>
    fetch(`${ctx.url}/api/chat`, {
      method: 'POST',
      headers: { ...authHeader(ctx.user), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', content }),
    });
  const conversationCount = async () =>
    (await ctx.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM conversations WHERE user_id = $1', [ctx.user.id])).rows[0]!.n;

  it('answers a chat past capacity with 503 SERVER_BUSY and Retry-After, reserving and storing nothing, while the first streams on', async () => {
    ctx.upstream.reset({ text: SLOW, tokenDelayMs: 30 });
    const first = await chat('first');
    expect(first.status).toBe(200);
    await waitFor(async () => ctx.upstream.requests[0]?.tokensSent || undefined);
    const before = await conversationCount();

    const refused = await chat('second');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await refused.json()).toMatchObject({ status: 503, code: 'SERVER_BUSY' });
    expect(ctx.meter.reserves).toHaveLength(1);
    expect(await conversationCount()).toBe(before);
    expect(ctx.upstream.requests).toHaveLength(1);

    // The call in flight is not cut: it ends whole, and then the slot is free again.
    const { parts, done } = parseSse(await first.text());
    expect(done).toBe(true);
    expect(textOf(parts)).toBe(SLOW);
    expect(await messageRow(ctx.t, parts[0]!.messageId)).toMatchObject({ status: 'complete', content: SLOW });
    ctx.upstream.reset({ text: 'again' });
    const again = await chat('third');
    expect(again.status).toBe(200);
    expect(textOf(parseSse(await again.text()).parts)).toBe('again');
  });

  it("answers /v1 past capacity in OpenAI's error shape, which the official client raises as a 503 APIError", async () => {
    ctx.upstream.reset({ text: SLOW, tokenDelayMs: 30 });
    const { key } = await createApiKey(ctx.t.app, ctx.user);
    const client = openAiClient({ t: ctx.t, upstream: ctx.upstream, url: ctx.url }, key);
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'first' }], stream: true });
    const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'second' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err).toMatchObject({ status: 503, type: 'server_error', code: 'server_busy' });
    expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('1');
    let text = '';
    for await (const chunk of first) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(SLOW);
    expect(ctx.meter.reserves).toHaveLength(1);
  });
});
