// A model call's reply in OpenAI's Chat Completions formats: one chat.completion object, or
// Server-Sent Events of chat.completion.chunk objects ending with `data: [DONE]`. The usage given
// is exactly what the call was metered at (provider-reported, or our count when it reported none).
import { Readable } from 'node:stream';
import { AppError } from '../../lib/errors.js';
import type { ModelCall, ModelCallResult } from '../model-calls/model-call.js';
import type { ChatCompletion, CompletionUsage } from './openai-api.schemas.js';
import { toOpenAiError } from './openai-errors.js';

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

export const COMPLETION_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Proxies such as nginx must pass each event on at once.
  'x-accel-buffering': 'no',
};

function usageOf(result: ModelCallResult): CompletionUsage {
  return { prompt_tokens: result.inputTokens, completion_tokens: result.outputTokens, total_tokens: result.inputTokens + result.outputTokens };
}

const finishReasonOf = (result: ModelCallResult) => (result.finishReason === 'length' ? 'length' : 'stop');

export function toChatCompletion(meta: CompletionMeta, result: ModelCallResult): ChatCompletion {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message: { role: 'assistant', content: result.text, refusal: null }, logprobs: null, finish_reason: finishReasonOf(result) }],
    usage: usageOf(result),
  };
}

const event = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

/**
 * The reply as OpenAI streams it: a first chunk with the role, one chunk per text delta, a last
 * one with finish_reason, then (with stream_options.include_usage) a chunk with no choices and the
 * usage, and `data: [DONE]`. A failure after the first chunk is an `{"error": ...}` event, which the
 * official clients raise, and the stream ends.
 */
export function completionChunks(meta: CompletionMeta, call: ModelCall, { includeUsage }: { includeUsage: boolean }): Readable {
  const base = { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model };
  const chunk = (delta: object, finish: 'stop' | 'length' | null) =>
    event({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) });

  async function* events() {
    yield chunk({ role: 'assistant', content: '' }, null);
    for await (const text of call.deltas) yield chunk({ content: text }, null);
    const result = await call.done;
    if (result.failure) {
      yield event(toOpenAiError(new AppError(result.failure.code, result.failure.message)).body);
      return;
    }
    yield chunk({}, finishReasonOf(result));
    if (includeUsage) yield event({ ...base, choices: [], usage: usageOf(result) });
    yield 'data: [DONE]\n\n';
  }
  return Readable.from(events());
}
