// OpenAI's Chat Completions wire format, which OpenAI and every OpenAI-compatible server (Ollama,
// vLLM, LM Studio, OpenRouter...) speak. Streaming asks for the final usage chunk, so the usage
// recorded is the server's own count.
import { UpstreamBrokeOffError } from '../upstream-errors.js';
import { endpoint, postJson, readEvents, readJson } from './http-client.js';
import type { FinishReason, Provider, UpstreamRequest, UpstreamResult } from './upstream.js';

export interface OpenAiChatSettings {
  baseUrl: string;
  apiKey?: string;
  /** OpenAI itself takes max_completion_tokens (max_tokens is deprecated there); other servers max_tokens. */
  outputCapField: 'max_completion_tokens' | 'max_tokens';
}

interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

interface Chunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: Usage | null;
  error?: unknown;
}

interface Completion {
  choices?: { message?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: Usage;
}

const finishReasonOf = (raw: string | null | undefined): FinishReason => (raw === 'stop' ? 'stop' : raw === 'length' ? 'length' : 'other');

function usageOf(usage: Usage | null | undefined): UpstreamResult['usage'] {
  if (typeof usage?.prompt_tokens !== 'number' || typeof usage.completion_tokens !== 'number') return undefined;
  return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
}

export function requestBody(request: UpstreamRequest, outputCapField: OpenAiChatSettings['outputCapField']): string {
  const { settings } = request;
  return JSON.stringify({
    model: request.model,
    messages: request.system ? [{ role: 'system', content: request.system }, ...request.messages] : request.messages,
    [outputCapField]: request.maxOutputTokens,
    ...(settings?.temperature !== undefined && { temperature: settings.temperature }),
    ...(settings?.topP !== undefined && { top_p: settings.topP }),
    ...(settings?.stopSequences?.length && { stop: settings.stopSequences }),
    ...(request.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

export function createOpenAiChatProvider(settings: OpenAiChatSettings): Provider {
  const url = endpoint(settings.baseUrl, 'chat/completions');
  const headers: Record<string, string> = settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {};

  return {
    async call(request, handlers) {
      const res = await postJson(
        url,
        { ...headers, accept: request.stream ? 'text/event-stream' : 'application/json' },
        requestBody(request, settings.outputCapField),
        request.signal,
      );
      if (!request.stream) {
        const completion = await readJson<Completion>(res, request.signal);
        const choice = completion.choices?.[0];
        handlers.onStart();
        if (choice?.message?.content) handlers.onText(choice.message.content);
        return { finishReason: finishReasonOf(choice?.finish_reason), usage: usageOf(completion.usage) };
      }

      let started = false;
      let finishReason: FinishReason = 'other';
      let finished = false;
      let usage: UpstreamResult['usage'];
      await readEvents(res, request.signal, ({ data }) => {
        if (data === '[DONE]') return;
        const chunk = JSON.parse(data) as Chunk;
        if (chunk.error !== undefined) throw new UpstreamBrokeOffError(undefined, 'the provider sent an error event');
        if (!started) {
          started = true;
          handlers.onStart();
        }
        const choice = chunk.choices?.[0];
        const text = choice?.delta?.content;
        if (text) handlers.onText(text);
        if (choice?.finish_reason) {
          finished = true;
          finishReason = finishReasonOf(choice.finish_reason);
        }
        if (chunk.usage) usage = usageOf(chunk.usage) ?? usage;
      });
      // A stream that ends without a finish reason was cut short (a proxy, a crashed server).
      if (!finished) throw new UpstreamBrokeOffError(undefined, 'the stream ended without a finish reason');
      return { finishReason, usage };
    },
  };
}
