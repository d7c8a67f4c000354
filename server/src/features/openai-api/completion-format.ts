// A model call's reply in OpenAI's Chat Completions formats: one chat.completion object, or
// Server-Sent Events of chat.completion.chunk objects ending with `data: [DONE]`. The usage given
// is exactly what the call was metered at (provider-reported, or our count when it reported none).
import type { Readable } from 'node:stream';
import { AppError } from '../../lib/errors.js';
import type { ModelCall, ModelCallResult } from '../../lib/model-calls/model-call.js';
import { createSseWriter } from '../../lib/model-calls/sse.js';
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

/**
 * The reply as OpenAI streams it: a first chunk with the role, one chunk per text delta, a last
 * one with finish_reason, then (with stream_options.include_usage) a chunk with no choices and the
 * usage, and `data: [DONE]`. A failure after the first chunk is an `{"error": ...}` event, which the
 * official clients raise, and the stream ends.
 */
export function completionChunks(meta: CompletionMeta, call: Pick<ModelCall, 'read' | 'done'>, { includeUsage }: { includeUsage: boolean }): Readable {
  const sse = createSseWriter();
  const base = { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model };
  const usageNull = includeUsage ? ',"usage":null' : '';
  const chunk = (delta: object, finish: 'stop' | 'length' | null) =>
    sse.data(JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) }));

  chunk({ role: 'assistant', content: '' }, null);
  // The one chunk sent per piece: only the text is serialised each time.
  const head = JSON.stringify(base).slice(0, -1);
  call.read((text) =>
    sse.data(`${head},"choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]${usageNull}}`),
  );
  void call.done.then((result) => {
    if (result.failure) {
      sse.data(JSON.stringify(toOpenAiError(new AppError(result.failure.code, result.failure.message)).body));
      return sse.end({ done: false });
    }
    chunk({}, finishReasonOf(result));
    if (includeUsage) sse.data(JSON.stringify({ ...base, choices: [], usage: usageOf(result) }));
    sse.end();
  });
  return sse.body;
}
