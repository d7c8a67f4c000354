// What the model is sent: the conversation so far, trimmed oldest first so that the prompt and the
// longest reply fit in the context window. The system prompt and the newest user message are
// always kept; failed and unfinished replies are left out (they are not part of the dialogue).
import type { ModelSpec } from '../../lib/model-calls/model-spec.js';
import { assertPromptFits, promptBudget } from '../../lib/model-calls/prompt-fit.js';
import { countMessageTokens, countPromptTokens, type PromptMessage } from '../../lib/model-calls/tokenizer.js';

export interface StoredMessage {
  role: 'user' | 'assistant' | 'system';
  content: string;
  status: 'complete' | 'streaming' | 'stopped' | 'failed';
}

export interface Prompt {
  messages: PromptMessage[];
  tokens: number;
  /** How many earlier messages were left out to fit. */
  dropped: number;
}

function usable(m: StoredMessage): m is StoredMessage & PromptMessage {
  if (m.role === 'user') return true;
  return m.role === 'assistant' && (m.status === 'complete' || m.status === 'stopped') && m.content.trim() !== '';
}

export function buildPrompt({
  system,
  earlier,
  userContent,
  model,
}: {
  system: string | undefined;
  earlier: StoredMessage[];
  userContent: string;
  model: Pick<ModelSpec, 'id' | 'contextWindow' | 'maxOutputTokens'>;
}): Prompt {
  const budget = promptBudget({ model });
  const newest: PromptMessage = { role: 'user', content: userContent };
  let tokens = countPromptTokens(system, [newest]);
  assertPromptFits({
    model,
    promptTokens: tokens,
    advice: `Shorten your message${system ? ' or the system prompt' : ''}, or pick a model with a larger context window.`,
  });
  const candidates = earlier.filter(usable).map((m): PromptMessage => ({ role: m.role, content: m.content }));
  let first = candidates.length;
  while (first > 0) {
    const cost = countMessageTokens(candidates[first - 1]!.content);
    if (tokens + cost > budget) break;
    tokens += cost;
    first -= 1;
  }
  // Start with a user turn: some providers (Anthropic) refuse a conversation that opens with the assistant.
  while (first < candidates.length && candidates[first]!.role === 'assistant') {
    tokens -= countMessageTokens(candidates[first]!.content);
    first += 1;
  }
  const kept = candidates.slice(first);
  return { messages: [...kept, newest], tokens, dropped: earlier.length - kept.length };
}
