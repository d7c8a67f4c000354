import { describe, expect, it } from 'vitest';
import { createSseWriter } from './sse.js';

const chunksOf = (writer: ReturnType<typeof createSseWriter>) => {
  const chunks: string[] = [];
  writer.body.on('data', (c: Buffer) => chunks.push(c.toString()));
  return chunks;
};
const turn = () => new Promise((r) => setImmediate(r));

describe('the SSE writer', () => {
  it('sends the events written in one turn as one chunk, and later ones as their own', async () => {
    const writer = createSseWriter();
    const chunks = chunksOf(writer);
    writer.data('{"a":1}');
    writer.data('{"a":2}');
    await turn();
    writer.data('{"a":3}');
    await turn();
    expect(chunks).toEqual(['data: {"a":1}\n\ndata: {"a":2}\n\n', 'data: {"a":3}\n\n']);
  });

  it('ends with what is pending, then [DONE], in order', async () => {
    const writer = createSseWriter();
    const chunks = chunksOf(writer);
    const ended = new Promise((r) => writer.body.on('end', r));
    writer.data('{"last":true}');
    writer.end();
    await ended;
    expect(chunks.join('')).toBe('data: {"last":true}\n\ndata: [DONE]\n\n');
  });

  it('ends without [DONE] when told, and writes nothing after the body is destroyed', async () => {
    const writer = createSseWriter();
    const chunks = chunksOf(writer);
    writer.data('{"x":1}');
    writer.end({ done: false });
    await turn();
    expect(chunks.join('')).toBe('data: {"x":1}\n\n');
    const gone = createSseWriter();
    const none = chunksOf(gone);
    gone.body.destroy();
    gone.data('{"y":1}');
    gone.end();
    await turn();
    expect(none).toEqual([]);
  });
});
