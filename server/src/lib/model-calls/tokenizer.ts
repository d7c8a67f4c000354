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

export function countTextTokens(text: string): number {
  return text ? count(text, PLAIN_TEXT) : 0;
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
