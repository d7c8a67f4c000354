import { describe, expect, it } from 'vitest';
import { countTextTokens } from '../tokenizer.js';
import { createDemoProvider } from './demo-model.js';
import { composeDemoReply, demoPromptTokens } from './demo-reply.js';

async function run(delayMs: number, content: string, options: { maxOutputTokens?: number; abortAfterDeltas?: number; stream?: boolean } = {}) {
  const controller = new AbortController();
  let text = '';
  let deltas = 0;
  const outcome = await createDemoProvider(delayMs)
    .call(
      {
        model: 'demo',
        system: 'Sys',
        messages: [{ role: 'user', content }],
        maxOutputTokens: options.maxOutputTokens ?? 100_000,
        stream: options.stream ?? true,
        signal: controller.signal,
      },
      {
        onStart: () => {},
        onText: (t) => {
          text += t;
          deltas += 1;
          if (deltas === options.abortAfterDeltas) controller.abort();
        },
      },
    )
    .then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
  return { text, deltas, ...outcome };
}

describe('the demo model', () => {
  const input = (content: string) => ({ system: 'Sys', messages: [{ role: 'user' as const, content }] });

  it('streams a deterministic reply word by word, with usage counted by the tokenizer', async () => {
    const first = await run(0, 'What is this?');
    const second = await run(0, 'What is this?');
    expect(first.text).toBe(composeDemoReply(input('What is this?')));
    expect(second.text).toBe(first.text);
    expect(first.deltas).toBeGreaterThan(50);
    expect(first.text).toContain('You wrote (4 tokens): "What is this?"');
    expect(first.text).toContain('this system prompt: "Sys"');
    expect(first.result).toEqual({
      finishReason: 'stop',
      usage: { inputTokens: demoPromptTokens(input('What is this?')), outputTokens: countTextTokens(first.text) },
    });
  });

  it('answers in one piece when not streaming', async () => {
    const { text, deltas, result } = await run(0, 'What is this?', { stream: false });
    expect(deltas).toBe(1);
    expect(text).toBe(composeDemoReply(input('What is this?')));
    expect(result?.finishReason).toBe('stop');
  });

  it('writes several more paragraphs when asked for something long', async () => {
    const short = composeDemoReply(input('hello'));
    const long = composeDemoReply(input('a LONG answer please'));
    expect(countTextTokens(long)).toBeGreaterThan(countTextTokens(short) + 400);
  });

  it('stops at maxOutputTokens', async () => {
    const { text, result } = await run(0, 'hello', { maxOutputTokens: 10 });
    expect(result!.usage!.outputTokens).toBeLessThanOrEqual(10);
    expect(result!.usage!.outputTokens).toBe(countTextTokens(text));
    expect(result!.finishReason).toBe('length');
  });

  it('stops at once when aborted, even while waiting between words', async () => {
    const started = Date.now();
    const { deltas, error } = await run(200, 'a long one', { abortAfterDeltas: 1 });
    expect(deltas).toBe(1);
    expect(error).toBeDefined();
    expect(Date.now() - started).toBeLessThan(350);
  });
});
