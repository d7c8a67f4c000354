// Re-attaching to a reply in flight (GET /api/chat/{conversation_id}/stream), on one process: a
// reader that left comes back, or a second one joins, and each gets the reply from its start (the
// text so far as one delta) and then live, to the same end as the one stored.
import { describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { readSse, textOf, type SsePart } from '../../../test/sse.js';
import { authHeader, createUser } from '../../../test/test-app.js';
import { messageRow, setupChatTest, waitFor } from './chat.test-support.js';

const LONG_TEXT = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');

describe.each(testDbKinds())('re-attaching to a reply on %s', (kind) => {
  const ctx = setupChatTest(kind, { listen: true });

  const attach = (conversationId: string, user = ctx.user) => fetch(`${ctx.url}/api/chat/${conversationId}/stream`, { headers: authHeader(user) });

  async function readAll(res: Response) {
    const parts: SsePart[] = [];
    for await (const part of readSse(res)) parts.push(part);
    return parts;
  }

  /** Starts a reply and reads its first `deltas` text parts; the request stays open unless left. */
  async function startReply(deltas: number) {
    const controller = new AbortController();
    const res = await fetch(`${ctx.url}/api/chat`, {
      method: 'POST',
      headers: { ...authHeader(ctx.user), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', content: 'Write a lot' }),
      signal: controller.signal,
    });
    const parts: SsePart[] = [];
    const reader = readSse(res);
    while (parts.filter((p) => p.type === 'text-delta').length < deltas) parts.push((await reader.next()).value as SsePart);
    return {
      parts,
      reader,
      conversationId: parts[0]!.messageMetadata.conversation_id as string,
      messageId: parts[0]!.messageId as string,
      leave: () => controller.abort(),
    };
  }

  it('gives a reader who left the reply from its start, then live, to its stored end', async () => {
    ctx.upstream.reset({ text: LONG_TEXT, tokenDelayMs: 10 });
    const first = await startReply(3);
    first.leave();

    const res = await attach(first.conversationId);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    const parts = await readAll(res);
    expect(parts[0]).toMatchObject({ type: 'start', messageId: first.messageId, messageMetadata: { conversation_id: first.conversationId } });
    expect(parts.slice(1, 3).map((p) => p.type)).toEqual(['data-conversation', 'text-start']);
    expect(textOf(parts)).toBe(LONG_TEXT);
    expect(parts.find((p) => p.type === 'message-metadata')?.messageMetadata.status).toBe('complete');
    expect(parts.at(-1)).toMatchObject({ type: 'finish' });
    expect(await messageRow(ctx.t, first.messageId)).toMatchObject({ status: 'complete', content: LONG_TEXT });
    expect(ctx.meter.settles).toHaveLength(1);
  });

  it('lets a second reader follow the reply beside the first, both to the same end', async () => {
    ctx.upstream.reset({ text: LONG_TEXT, tokenDelayMs: 5 });
    const first = await startReply(2);
    const [second, rest] = await Promise.all([
      attach(first.conversationId).then(readAll),
      (async () => {
        const more: SsePart[] = [];
        for (;;) {
          const next = await first.reader.next();
          if (next.done) return more;
          more.push(next.value);
        }
      })(),
    ]);
    const firstParts = [...first.parts, ...rest];
    expect(textOf(firstParts)).toBe(LONG_TEXT);
    expect(textOf(second)).toBe(LONG_TEXT);
    expect(second.find((p) => p.type === 'message-metadata')).toEqual(firstParts.find((p) => p.type === 'message-metadata'));
  });

  it('answers 204 once the reply has ended, and 404 for a conversation of someone else', async () => {
    ctx.upstream.reset({ text: 'Short.' });
    const res = await fetch(`${ctx.url}/api/chat`, {
      method: 'POST',
      headers: { ...authHeader(ctx.user), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', content: 'Hi' }),
    });
    const parts = await readAll(res);
    const conversationId = parts[0]!.messageMetadata.conversation_id as string;
    await waitFor(async () => ((await messageRow(ctx.t, parts[0]!.messageId as string))?.status === 'complete' ? true : undefined));
    expect((await attach(conversationId)).status).toBe(204);
    const other = await createUser(ctx.t.app);
    const refused = await attach(conversationId, other);
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
  });
});
