// Every model call goes through callModel, which brackets the upstream request with the usage
// meter: reserve before it (a refusal is a problem response and nothing is stored), release if it
// never reaches the upstream, and settle exactly once after it, whatever happened: completed,
// stopped by the client (the upstream request is aborted at once), timed out or failed.
// Two callers share it: the chat (POST /api/chat, which stores a conversation) and the stateless
// OpenAI-compatible API (POST /v1/chat/completions), so both are metered by the same code.
import { randomUUID } from 'node:crypto';
import { streamText } from 'ai';
import type { FastifyBaseLogger } from 'fastify';
import type { ModelSpec } from '../models/models.types.js';
import type { TierName } from '../tiers/tiers.js';
import type { LanguageModelFor } from './providers/registry.js';
import { DeltaQueue } from './delta-queue.js';
import { countTextTokens, type PromptMessage } from './tokens.js';
import { classifyUpstreamError, describeUpstreamError, timeoutFailure, type UpstreamFailure } from './upstream-errors.js';
import type { UsageMeter } from './usage-meter.js';

export interface ModelCallInput {
  user: { id: string; tier: TierName };
  model: ModelSpec;
  system: string | undefined;
  messages: PromptMessage[];
  promptTokens: number;
  /** Lower than the model's own output cap when the caller asks for less (max_tokens). */
  maxOutputTokens?: number;
  /** Sampling settings passed to the provider as they are. */
  settings?: { temperature?: number; topP?: number; stopSequences?: string[] };
  /** The conversation and reply this call writes; null for a stateless call (the /v1 API). */
  conversationId: string | null;
  messageId: string | null;
  /** Runs after the reservation and before the upstream request, e.g. to store the messages. */
  prepare?: () => Promise<void>;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}

export interface ModelCallResult {
  outcome: 'complete' | 'stopped' | 'failed';
  text: string;
  inputTokens: number;
  outputTokens: number;
  source: 'provider' | 'estimate';
  finishReason: 'stop' | 'length' | 'other';
  failure?: UpstreamFailure;
}

export interface ModelCall {
  /** Resolves once the provider has begun to answer (true) or the call ended before that (false). */
  started: Promise<boolean>;
  /** The reply's text as it arrives. */
  deltas: AsyncIterable<string>;
  /** Resolves after the usage is settled. Never rejects. */
  done: Promise<ModelCallResult>;
  /** The text received so far (for checkpoints while the reply streams). */
  textSoFar(): string;
}

export interface ModelCallDeps {
  usage: UsageMeter;
  languageModelFor: LanguageModelFor;
  timeouts: { firstTokenTimeoutMs: number; idleTimeoutMs: number };
  log: FastifyBaseLogger;
}

export type CallModel = (input: ModelCallInput) => Promise<ModelCall>;

export function createModelCaller(deps: ModelCallDeps): CallModel {
  const { usage, log } = deps;

  return async function callModel(input) {
    const requestId = randomUUID();
    // The reservation of a call that never reached the upstream; a failure here is logged, as the
    // reaper settles what is left.
    const release = () => usage.release({ requestId }).catch((err: unknown) => log.error({ err, requestId }, 'usage release failed'));
    const { maxOutputTokens } = await usage.reserve({
      user: input.user,
      requestId,
      model: input.model.id,
      promptTokens: input.promptTokens,
      maxOutputTokens: Math.min(input.model.maxOutputTokens, input.maxOutputTokens ?? Infinity),
      conversationId: input.conversationId,
      messageId: input.messageId,
    });
    try {
      await input.prepare?.();
    } catch (err) {
      await release();
      throw err;
    }
    if (input.signal.aborted) {
      // The client left while the messages were being stored: no upstream request was made.
      await release();
      const result: ModelCallResult = { outcome: 'stopped', text: '', inputTokens: 0, outputTokens: 0, source: 'estimate', finishReason: 'other' };
      return { started: Promise.resolve(false), deltas: DeltaQueue.empty(), done: Promise.resolve(result), textSoFar: () => '' };
    }
    return runUpstream(deps, input, requestId, maxOutputTokens);
  };
}

function runUpstream(deps: ModelCallDeps, input: ModelCallInput, requestId: string, maxOutputTokens: number): ModelCall {
  const upstream = new AbortController();
  let stopReason: 'client' | 'timeout' | undefined;
  let begun = false;
  let timer: NodeJS.Timeout | undefined;
  const abortUpstream = (reason: 'client' | 'timeout') => {
    stopReason ??= reason;
    upstream.abort();
  };
  const arm = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => abortUpstream('timeout'), ms);
  };
  const onClientGone = () => abortUpstream('client');
  input.signal.addEventListener('abort', onClientGone, { once: true });
  arm(deps.timeouts.firstTokenTimeoutMs);

  let markStarted!: (started: boolean) => void;
  const started = new Promise<boolean>((resolve) => (markStarted = resolve));
  const deltas = new DeltaQueue();

  let text = '';
  const done = (async (): Promise<ModelCallResult> => {
    let error: unknown;
    let reported: { inputTokens?: number; outputTokens?: number } | undefined;
    let finishReason: ModelCallResult['finishReason'] = 'other';
    let finished = false;
    try {
      const result = streamText({
        model: deps.languageModelFor(input.model),
        system: input.system,
        messages: input.messages,
        maxOutputTokens,
        ...input.settings,
        // One call, one upstream request: a retry would be a second, unmetered call.
        maxRetries: 0,
        abortSignal: upstream.signal,
        onError: () => {}, // handled below from the stream itself
      });
      for await (const part of result.fullStream) {
        if (part.type === 'start') continue; // emitted by the SDK itself, before any request
        if (!begun && part.type !== 'error' && part.type !== 'abort') {
          begun = true;
          markStarted(true);
        }
        arm(deps.timeouts.idleTimeoutMs);
        if (part.type === 'text-delta') {
          text += part.text;
          deltas.push(part.text);
        } else if (part.type === 'finish') {
          finished = true;
          reported = part.totalUsage;
          finishReason = part.finishReason === 'stop' || part.finishReason === 'length' ? part.finishReason : 'other';
        } else if (part.type === 'error') {
          error = part.error;
          break;
        }
      }
    } catch (err) {
      error = err; // a broken connection ends the stream with a thrown error, not an error part
    } finally {
      clearTimeout(timer);
      input.signal.removeEventListener('abort', onClientGone);
      markStarted(begun);
      deltas.end();
    }

    // A reply that reached its finish is complete even if the client left a moment later.
    const outcome = finished && error === undefined ? 'complete' : stopReason === 'client' ? 'stopped' : 'failed';
    const failure = outcome !== 'failed' ? undefined : stopReason === 'timeout' ? timeoutFailure(begun) : classifyUpstreamError(error);
    if (failure) deps.log.warn({ upstreamError: describeUpstreamError(error), requestId, model: input.model.id, code: failure.code }, 'model call failed');

    // Provider-reported usage when the provider gave it; otherwise our count of the prompt and of the
    // text actually produced. A provider that refused the request or was never reached did no work.
    const fromProvider = outcome === 'complete' && reported?.inputTokens !== undefined && reported.outputTokens !== undefined;
    const result: ModelCallResult = {
      outcome,
      text,
      inputTokens: fromProvider ? reported!.inputTokens! : failure?.refused ? 0 : input.promptTokens,
      outputTokens: fromProvider ? reported!.outputTokens! : countTextTokens(text),
      source: fromProvider ? 'provider' : 'estimate',
      finishReason,
      failure,
    };
    try {
      await deps.usage.settle({
        requestId,
        userId: input.user.id,
        conversationId: input.conversationId,
        messageId: input.messageId,
        provider: input.model.provider,
        model: input.model.id,
        inputTokens: result.inputTokens,
        outputTokens: result.outputTokens,
        source: result.source,
        outcome,
      });
    } catch (err) {
      // The reservation stays; the usage module's reaper settles it after its TTL.
      deps.log.error({ err, requestId }, 'usage settle failed');
    }
    return result;
  })();

  return { started, deltas, done, textSoFar: () => text };
}
