// Anthropic's Messages wire format: named events from message_start to message_stop; the input
// count comes with message_start, the output count with message_delta.
import { UpstreamBrokeOffError } from '../upstream-errors.js';
import { endpoint, postJson, readEvents, readJson } from './http-client.js';
import type { FinishReason, Provider, UpstreamRequest } from './upstream.js';

export const ANTHROPIC_VERSION = '2023-06-01';

export interface AnthropicSettings {
  baseUrl: string;
  apiKey: string;
}

interface InputUsage {
  input_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

interface StreamEvent {
  type: string;
  message?: { usage?: InputUsage & { output_tokens?: number } };
  delta?: { type?: string; text?: string; stop_reason?: string | null };
  usage?: { output_tokens?: number };
}

interface Message {
  content?: { type: string; text?: string }[];
  stop_reason?: string | null;
  usage?: InputUsage & { output_tokens?: number };
}

const finishReasonOf = (raw: string | null | undefined): FinishReason =>
  raw === 'end_turn' || raw === 'stop_sequence' ? 'stop' : raw === 'max_tokens' ? 'length' : 'other';

/** All the prompt's tokens, cached or not: each counts against the plan. */
const inputTokensOf = (u: InputUsage | undefined) =>
  u?.input_tokens === undefined ? undefined : u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);

export function requestBody(request: UpstreamRequest): string {
  const { settings } = request;
  return JSON.stringify({
    model: request.model,
    max_tokens: request.maxOutputTokens,
    ...(request.system && { system: request.system }),
    messages: request.messages,
    ...(settings?.temperature !== undefined && { temperature: settings.temperature }),
    ...(settings?.topP !== undefined && { top_p: settings.topP }),
    ...(settings?.stopSequences?.length && { stop_sequences: settings.stopSequences }),
    ...(request.stream && { stream: true }),
  });
}

export function createAnthropicProvider(settings: AnthropicSettings): Provider {
  const url = endpoint(settings.baseUrl, 'messages');
  const headers = { 'x-api-key': settings.apiKey, 'anthropic-version': ANTHROPIC_VERSION };

  return {
    async call(request, handlers) {
      const res = await postJson(url, { ...headers, accept: request.stream ? 'text/event-stream' : 'application/json' }, requestBody(request), request.signal);
      if (!request.stream) {
        const message = await readJson<Message>(res, request.signal);
        handlers.onStart();
        const text = (message.content ?? []).map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
        if (text) handlers.onText(text);
        const inputTokens = inputTokensOf(message.usage);
        const outputTokens = message.usage?.output_tokens;
        return {
          finishReason: finishReasonOf(message.stop_reason),
          usage: inputTokens !== undefined && outputTokens !== undefined ? { inputTokens, outputTokens } : undefined,
        };
      }

      let started = false;
      let stopped = false;
      let finishReason: FinishReason = 'other';
      let inputTokens: number | undefined;
      let outputTokens: number | undefined;
      await readEvents(res, request.signal, ({ data }) => {
        const event = JSON.parse(data) as StreamEvent;
        if (event.type === 'error') throw new UpstreamBrokeOffError(undefined, 'the provider sent an error event');
        if (!started) {
          started = true;
          handlers.onStart();
        }
        switch (event.type) {
          case 'message_start':
            inputTokens = inputTokensOf(event.message?.usage);
            break;
          case 'content_block_delta':
            if (event.delta?.type === 'text_delta' && event.delta.text) handlers.onText(event.delta.text);
            break;
          case 'message_delta':
            finishReason = finishReasonOf(event.delta?.stop_reason);
            if (typeof event.usage?.output_tokens === 'number') outputTokens = event.usage.output_tokens;
            break;
          case 'message_stop':
            stopped = true;
            break;
        }
      });
      if (!stopped) throw new UpstreamBrokeOffError(undefined, 'the stream ended before message_stop');
      return { finishReason, usage: inputTokens !== undefined && outputTokens !== undefined ? { inputTokens, outputTokens } : undefined };
    },
  };
}
