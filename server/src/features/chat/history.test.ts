import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { countPromptTokens, countTextTokens } from '../../lib/model-calls/tokenizer.js';
import { buildPrompt, type StoredMessage } from './history.js';

const words = (n: number, word = 'hello') => `${word} `.repeat(n); // n + 1 tokens or so
const model = { id: 'small', contextWindow: 1000, maxOutputTokens: 200 };
const msg = (role: StoredMessage['role'], content: string, status: StoredMessage['status'] = 'complete'): StoredMessage => ({ role, content, status });

describe('buildPrompt', () => {
  it('sends everything when it fits, and counts it as the model would be sent it', () => {
    const earlier = [msg('user', 'hi'), msg('assistant', 'hello!')];
    const prompt = buildPrompt({ system: 'Be nice.', earlier, userContent: 'how are you?', model });
    expect(prompt.messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello!' },
      { role: 'user', content: 'how are you?' },
    ]);
    expect(prompt.tokens).toBe(countPromptTokens('Be nice.', prompt.messages));
    expect(prompt.dropped).toBe(0);
  });

  it('drops the oldest messages first to leave room for the longest reply', () => {
    const earlier = [
      msg('user', words(300, 'one')),
      msg('assistant', words(300, 'two')),
      msg('user', words(100, 'three')),
      msg('assistant', words(100, 'four')),
    ];
    const prompt = buildPrompt({ system: 'S', earlier, userContent: 'newest', model });
    expect(prompt.tokens).toBeLessThanOrEqual(800);
    expect(prompt.messages.map((m) => m.content.split(' ')[0])).toEqual(['three', 'four', 'newest']);
    expect(prompt.dropped).toBe(2);
  });

  it('never starts the history with a reply', () => {
    const earlier = [msg('user', words(600, 'one')), msg('assistant', words(100, 'two')), msg('user', 'three'), msg('assistant', 'four')];
    const prompt = buildPrompt({ system: undefined, earlier, userContent: words(150, 'newest'), model });
    expect(prompt.messages[0]!.role).toBe('user');
    expect(prompt.messages.map((m) => m.content.split(' ')[0])).toEqual(['three', 'four', 'newest']);
    expect(prompt.tokens).toBe(countPromptTokens(undefined, prompt.messages));
  });

  it('leaves out failed, unfinished and empty replies but keeps stopped ones', () => {
    const earlier = [
      msg('user', 'a'),
      msg('assistant', 'broken', 'failed'),
      msg('user', 'b'),
      msg('assistant', 'partial', 'stopped'),
      msg('user', 'c'),
      msg('assistant', '', 'stopped'),
      msg('assistant', 'writing', 'streaming'),
    ];
    const prompt = buildPrompt({ system: undefined, earlier, userContent: 'd', model });
    expect(prompt.messages.map((m) => m.content)).toEqual(['a', 'b', 'partial', 'c', 'd']);
  });

  it('refuses a message that cannot fit even alone with the system prompt', () => {
    const content = words(900);
    let error: unknown;
    try {
      buildPrompt({ system: 'x', earlier: [], userContent: content, model });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('PROMPT_TOO_LONG');
    expect((error as AppError).extra).toMatchObject({ max_prompt_tokens: 800 });
    expect(countTextTokens(content)).toBeGreaterThan(800);
  });
});
