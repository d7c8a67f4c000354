// The one interface every model provider implements: a request in our terms (system prompt, text
// messages, output cap, sampling), and the reply as callbacks. Callbacks, not streams: a streamed
// reply is a few hundred small pieces, and each layer of web streams or async iterators between the
// socket and the client costs CPU per piece (docs/decisions/010-lean-stream-core.md).
import type { PromptMessage } from '../tokenizer.js';

export interface SamplingSettings {
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

export interface UpstreamRequest {
  /** The name the provider's API expects. */
  model: string;
  system: string | undefined;
  messages: PromptMessage[];
  maxOutputTokens: number;
  settings?: SamplingSettings;
  /** False for one JSON answer (a non-streaming /v1 call): the provider is asked for one too. */
  stream: boolean;
  signal: AbortSignal;
}

export interface UpstreamHandlers {
  /** The provider began to answer (its first event, or its whole answer when not streaming). */
  onStart(): void;
  onText(text: string): void;
}

export type FinishReason = 'stop' | 'length' | 'other';

export interface UpstreamResult {
  finishReason: FinishReason;
  /** What the provider reported, when it did. */
  usage?: { inputTokens: number; outputTokens: number };
}

export interface Provider {
  /** Resolves when the reply has ended; rejects when it cannot start or breaks off (upstream-errors.ts). */
  call(request: UpstreamRequest, handlers: UpstreamHandlers): Promise<UpstreamResult>;
}
