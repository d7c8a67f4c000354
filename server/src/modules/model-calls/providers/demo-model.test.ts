import { streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { countTextTokens } from '../tokens.js';
import { DemoLanguageModel } from './demo-model.js';
import { composeDemoReply, demoPromptTokens } from './demo-reply.js';

async function run(model: DemoLanguageModel, content: string, options: { maxOutputTokens?: number; abortAfterDeltas?: number } = {}) {
  const controller = new AbortController();
  const result = streamText({ model, system: 'Sys', messages: [{ role: 'user', content }], maxOutputTokens: options.maxOutputTokens, abortSignal: controller.signal, maxRetries: 0 });
  let text = '';
  let deltas = 0;
  const types: string[] = [];
  let usage: { inputTokens?: number; outputTokens?: number } | undefined;
  let finishReason: string | undefined;
  for await (const part of result.fullStream) {
    types.push(part.type);
    if (part.type === 'text-delta') {
      text += part.text;
      deltas += 1;
      if (deltas === options.abortAfterDeltas) controller.abort();
    }
    if (part.type === 'finish') {
      usage = part.totalUsage;
      finishReason = part.finishReason;
    }
  }
  return { text, deltas, types, usage, finishReason };
}

describe('the demo model', () => {
  const input = (content: string) => ({ system: 'Sys', messages: [{ role: 'user' as const, content }] });

  it('streams a deterministic reply word by word, with usage counted by the tokenizer', async () => {
    const first = await run(new DemoLanguageModel(0), 'What is this?');
    const second = await run(new DemoLanguageModel(0), 'What is this?');
    expect(first.text).toBe(composeDemoReply(input('What is this?')));
    expect(second.text).toBe(first.text);
    expect(first.deltas).toBeGreaterThan(50);
    expect(first.text).toContain('You wrote (4 tokens): "What is this?"');
    expect(first.text).toContain('this system prompt: "Sys"');
    expect(first.usage).toMatchObject({ inputTokens: demoPromptTokens(input('What is this?')), outputTokens: countTextTokens(first.text) });
    expect(first.finishReason).toBe('stop');
  });

  it('writes several more paragraphs when asked for something long', async () => {
    const short = composeDemoReply(input('hello'));
    const long = composeDemoReply(input('a LONG answer please'));
    expect(countTextTokens(long)).toBeGreaterThan(countTextTokens(short) + 400);
  });

  it('stops at maxOutputTokens', async () => {
    const { text, usage, finishReason } = await run(new DemoLanguageModel(0), 'hello', { maxOutputTokens: 10 });
    expect(usage!.outputTokens).toBeLessThanOrEqual(10);
    expect(usage!.outputTokens).toBe(countTextTokens(text));
    expect(finishReason).toBe('length');
  });

  it('stops at once when aborted, even while waiting between words', async () => {
    const started = Date.now();
    const { deltas, types } = await run(new DemoLanguageModel(200), 'a long one', { abortAfterDeltas: 1 });
    expect(deltas).toBe(1);
    expect(types.at(-1)).toBe('abort');
    expect(Date.now() - started).toBeLessThan(350);
  });
});
