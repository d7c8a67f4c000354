// Token estimates with gpt-tokenizer (o200k_base). Used where a provider gives no count: the
// pre-flight prompt size (trimming, reservation), and the usage of a call that was stopped or
// failed before the provider reported it. Other vendors' tokenizers differ by some percent;
// provider-reported usage always wins when there is one.
import { countTokens as count } from 'gpt-tokenizer';

// User text may contain "<|endoftext|>" and the like: count it as plain text, never refuse it.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Chat formats add a few tokens of framing per message (role, separators): OpenAI's rule of thumb. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** Tokens that prime the reply. */
export const REPLY_PRIMING_TOKENS = 3;

/**
 * The longest stretch of text given to the tokenizer at once. Its BPE merges grow much faster than
 * linearly with the length of a run without spaces: 100,000 characters of Chinese or Japanese
 * (which need no spaces) took 46 s and 'x' x 100,000 8 s of one thread, against 5 ms in pieces
 * of this size (2026-12-03).
 */
export const MAX_TOKENIZED_PIECE = 1000;

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * Where to end a piece that starts at `start`: before the last single space, in reach, between two
 * non-spaces, where o200k's pre-tokenizer cuts anyway (a space starts the word after it), so the
 * count is the same as the whole text's; in a longer run of no such place, at the reach, where the
 * count may differ by a token (not inside a surrogate pair).
 */
function pieceEnd(text: string, start: number): number {
  const reach = start + MAX_TOKENIZED_PIECE;
  for (let i = reach - 1; i > start + 1; i--) {
    if (text.charCodeAt(i) === 0x20 && !isSpace(text.charCodeAt(i - 1)) && !isSpace(text.charCodeAt(i + 1))) return i;
  }
  const high = text.charCodeAt(reach - 1);
  return high >= 0xd800 && high <= 0xdbff ? reach - 1 : reach;
}

export function countTextTokens(text: string): number {
  if (!text) return 0;
  let total = 0;
  let start = 0;
  while (text.length - start > MAX_TOKENIZED_PIECE) {
    const end = pieceEnd(text, start);
    total += count(text.slice(start, end), PLAIN_TEXT);
    start = end;
  }
  return total + count(text.slice(start), PLAIN_TEXT);
}

export function countMessageTokens(content: string): number {
  return countTextTokens(content) + MESSAGE_OVERHEAD_TOKENS;
}

export interface PromptMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** The whole prompt as sent: system prompt (if any), messages, reply priming. */
export function countPromptTokens(system: string | undefined, messages: PromptMessage[]): number {
  let total = REPLY_PRIMING_TOKENS + (system ? countMessageTokens(system) : 0);
  for (const m of messages) total += countMessageTokens(m.content);
  return total;
}
