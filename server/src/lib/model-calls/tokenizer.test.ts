// Token estimates: exact for ordinary text however long, and bounded work for text with long runs
// without spaces (Chinese, Japanese, a pasted blob), which the tokenizer is given in pieces.
import * as gptTokenizer from 'gpt-tokenizer';
import { describe, expect, it, vi } from 'vitest';
import { countTextTokens, MAX_TOKENIZED_PIECE } from './tokenizer.js';

vi.mock('gpt-tokenizer', async (original) => {
  const real = await original<typeof import('gpt-tokenizer')>();
  return { ...real, countTokens: vi.fn(real.countTokens) };
});
const counted = vi.mocked(gptTokenizer.countTokens);
const whole = (text: string) => counted.getMockImplementation()!(text, { disallowedSpecial: new Set() });

function longestPiece(fn: () => void): number {
  counted.mockClear();
  fn();
  return Math.max(...counted.mock.calls.map(([text]) => (text as string).length));
}

describe('countTextTokens', () => {
  it('counts ordinary text of any length exactly as the tokenizer counts it whole', () => {
    const prose = 'The quick brown fox, jumping over 12 lazy dogs; naïve café\tcrème.\n\n  Indented line:  two  spaces. '.repeat(400);
    expect(prose.length).toBeGreaterThan(10 * MAX_TOKENIZED_PIECE);
    expect(countTextTokens(prose)).toBe(whole(prose));
    const code = 'function f(a, b) {\n  return a + b; // sum\n}\n'.repeat(500);
    expect(countTextTokens(code)).toBe(whole(code));
  });

  it('never gives the tokenizer more than a piece at once, even for a run without spaces', () => {
    const chinese = '漢字仮名交じり文'.repeat(12_500);
    expect(longestPiece(() => countTextTokens(chinese))).toBeLessThanOrEqual(MAX_TOKENIZED_PIECE);
    expect(longestPiece(() => countTextTokens('x'.repeat(100_000)))).toBeLessThanOrEqual(MAX_TOKENIZED_PIECE);
    expect(longestPiece(() => countTextTokens('word '.repeat(50_000)))).toBeLessThanOrEqual(MAX_TOKENIZED_PIECE);
  });

  it('stays within a token per piece of the whole count for runs cut mid-word, and keeps surrogate pairs whole', () => {
    const blob = 'ab'.repeat(3000);
    const pieces = Math.ceil(blob.length / MAX_TOKENIZED_PIECE);
    expect(Math.abs(countTextTokens(blob) - whole(blob))).toBeLessThanOrEqual(pieces);
    const emoji = '😀'.repeat(2000); // 4,000 UTF-16 units: a cut at 1,000 would split a pair
    counted.mockClear();
    countTextTokens(emoji);
    for (const [text] of counted.mock.calls) expect(text as string).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    expect(countTextTokens(emoji)).toBe(whole(emoji));
  });

  it('counts nothing for empty text', () => {
    expect(countTextTokens('')).toBe(0);
  });
});
