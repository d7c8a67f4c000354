// The one check that a prompt leaves room for the reply in the model's context window. The chat
// calls it before trimming the history (the newest message alone must fit); every model call
// calls it again when it is reserved (model-call.ts), which is all the /v1 API needs.
import { AppError } from '../errors.js';
import type { ModelSpec } from './model-spec.js';

export interface PromptFit {
  model: Pick<ModelSpec, 'id' | 'contextWindow' | 'maxOutputTokens'>;
  promptTokens: number;
  /** Tokens kept for the reply: the model's output cap unless the caller asks for fewer. */
  maxOutputTokens?: number;
  /** What the caller can do about it, in its own words. */
  advice?: string;
}

export function promptBudget({ model, maxOutputTokens }: Pick<PromptFit, 'model' | 'maxOutputTokens'>): number {
  return model.contextWindow - (maxOutputTokens ?? model.maxOutputTokens);
}

export function assertPromptFits(fit: PromptFit): void {
  const budget = promptBudget(fit);
  if (fit.promptTokens <= budget) return;
  const reply = fit.maxOutputTokens ?? fit.model.maxOutputTokens;
  throw new AppError(
    'PROMPT_TOO_LONG',
    `The prompt is about ${fit.promptTokens} tokens; with ${reply} for the reply, "${fit.model.id}" takes at most ${budget}. ${fit.advice ?? 'Send less text or pick a model with a larger context window.'}`,
    { prompt_tokens: fit.promptTokens, max_prompt_tokens: budget },
  );
}
