// Every model call goes through here, in three steps that its caller reads in order:
//   const reserved = await modelCalls.reserve(...)  admission, then the worst case reserved against
//                                                   the month's limit (a refusal is a problem
//                                                   response and nothing is stored)
//   ...the caller stores what it must (the chat: the exchange), or reserved.release()
//   const call = reserved.start(prompt)             the upstream request; `await call.started()`
//                                                   throws the failure of a call that ended before
//                                                   the provider answered
// and the call settles exactly once after it, whatever happened: completed, stopped by the client
// (the upstream request is aborted at once), timed out or failed. The chat (POST /api/chat) and the
// OpenAI-compatible API (POST /v1/chat/completions) both use it, so both are metered by one code.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors.js';
import type { TierName } from '../tiers/tiers.js';
import type { Admission, LeaveSlot } from './admission.js';
import type { ModelSpec } from './model-spec.js';
import { assertPromptFits } from './prompt-fit.js';
import type { ProviderFor } from './providers/registry.js';
import type { FinishReason, SamplingSettings } from './providers/upstream.js';
import { countTextTokens, type PromptMessage } from './tokenizer.js';
import { classifyUpstreamError, describeUpstreamError, timeoutFailure, type UpstreamFailure } from './upstream-errors.js';
import type { Charge, QuotaState, UsageMeter } from './usage-meter.js';

export interface ReserveCall {
  /** The authenticated user; tier and cap as loaded with the request, so metering need not read them again. */
  user: { id: string; tier: TierName; monthly_token_cap?: number | null };
  model: ModelSpec;
  promptTokens: number;
  /** Lower than the model's own output cap when the caller asks for less (max_tokens). */
  maxOutputTokens?: number;
  /** The conversation and reply this call writes; null for a stateless call (the /v1 API). */
  conversationId: string | null;
  messageId: string | null;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** The API key (and its cap) and the team the call is charged to. */
  charge?: Charge;
}

export interface CallPrompt {
  system: string | undefined;
  messages: PromptMessage[];
  /** Sampling settings passed to the provider as they are. */
  settings?: SamplingSettings;
  /** False asks the provider for one JSON answer (a non-streaming /v1 call). */
  stream?: boolean;
}

export interface ModelCallResult {
  outcome: 'complete' | 'stopped' | 'failed';
  text: string;
  inputTokens: number;
  outputTokens: number;
  source: 'provider' | 'estimate';
  finishReason: FinishReason;
  failure?: UpstreamFailure;
}

export interface ReservedCall {
  /** The call's id: its reservation's and then its usage record's (usage_records.request_id). */
  requestId: string;
  /** The output cap granted: the model's, the caller's or what the month has left, whichever is least. */
  maxOutputTokens: number;
  /** The user's limits after this reservation, when the meter reports them. */
  quota: QuotaState | undefined;
  /** Gives the slot and the reservation back: the call will not be made. */
  release(): Promise<void>;
  /** Sends the request to the provider. Call once. */
  start(prompt: CallPrompt): ModelCall;
}

export interface ModelCall {
  /**
   * Resolves once the provider has begun to answer, or the call ended without a failure before
   * that (the client left). A call that failed before the provider answered (a refusal, an
   * unreachable provider, a timeout) rejects with the failure as an AppError, extra members added.
   */
  started(extra?: Record<string, unknown>): Promise<void>;
  /** Hands over the text received so far, then each piece as it arrives. One reader. */
  read(onText: (text: string) => void): void;
  /** Resolves after the usage is settled. Never rejects. */
  done: Promise<ModelCallResult>;
  /** The text received so far (for checkpoints while the reply streams). */
  textSoFar(): string;
}

export interface ModelCallsDeps {
  usage: UsageMeter;
  providerFor: ProviderFor;
  admission: Admission;
  timeouts: { firstTokenTimeoutMs: number; idleTimeoutMs: number };
  log: FastifyBaseLogger;
}

export function createModelCalls(deps: ModelCallsDeps) {
  const { usage, log } = deps;
  // The calls talking to a provider now, so that a shutdown can stop those still open after its
  // grace period: each then ends as a user's stop does (stored and metered as 'stopped').
  const running = new Set<RunningCall>();

  async function reserve(input: ReserveCall): Promise<ReservedCall> {
    const cap = Math.min(input.model.maxOutputTokens, input.maxOutputTokens ?? Infinity);
    assertPromptFits({ model: input.model, promptTokens: input.promptTokens, maxOutputTokens: cap, advice: 'Send fewer messages or a lower max_tokens.' });
    const leave = await deps.admission.enter(input.signal);
    const requestId = randomUUID();
    let granted: { maxOutputTokens: number; quota?: QuotaState };
    try {
      granted = await usage.reserve({
        user: input.user,
        requestId,
        model: input.model.id,
        promptTokens: input.promptTokens,
        maxOutputTokens: cap,
        conversationId: input.conversationId,
        messageId: input.messageId,
        charge: input.charge,
      });
    } catch (err) {
      leave();
      throw err;
    }
    let used = false;
    // A failure here is logged: the reaper settles a reservation that is left.
    const release = async () => {
      leave();
      await usage.release({ requestId }).catch((err: unknown) => log.error({ err, requestId }, 'usage release failed'));
    };
    return {
      requestId,
      maxOutputTokens: granted.maxOutputTokens,
      quota: granted.quota,
      async release() {
        if (used) return;
        used = true;
        await release();
      },
      start(prompt) {
        if (used) throw new Error('a reserved model call starts once');
        used = true;
        if (input.signal.aborted) {
          // The client left while the caller stored its messages: no upstream request is made.
          return endedCall(
            release().then(() => ({ outcome: 'stopped', text: '', inputTokens: 0, outputTokens: 0, source: 'estimate', finishReason: 'other' })),
          );
        }
        return runUpstream(deps, { ...input, ...prompt, requestId, maxOutputTokens: granted.maxOutputTokens, leave }, running);
      },
    };
  }

  return {
    reserve,
    /** Model calls under way in this process. */
    running: () => running.size,
    /** Stops every call under way (a shutdown past its grace period); resolves once all are settled. Answers how many. */
    async stopAll(): Promise<number> {
      const calls = [...running];
      for (const call of calls) call.stop();
      await Promise.all(calls.map((call) => call.done));
      return calls.length;
    },
  };
}

interface RunningCall {
  stop(): void;
  done: Promise<unknown>;
}

export type ModelCalls = ReturnType<typeof createModelCalls>;

function endedCall(done: Promise<ModelCallResult>): ModelCall {
  return { started: async () => {}, read: () => {}, done, textSoFar: () => '' };
}

type RunInput = ReserveCall & CallPrompt & { requestId: string; maxOutputTokens: number; leave: LeaveSlot };
/** Why a call was cut short: its client left, the provider went quiet, or the process is shutting down. */
type StopReason = 'client' | 'timeout' | 'shutdown';

function runUpstream(deps: ModelCallsDeps, input: RunInput, running: Set<RunningCall>): ModelCall {
  const upstream = new AbortController();
  let stopReason: StopReason | undefined;
  let begun = false;
  let timer: NodeJS.Timeout | undefined;
  const abortUpstream = (reason: StopReason) => {
    stopReason ??= reason;
    upstream.abort();
  };
  const onTimeout = () => abortUpstream('timeout');
  const onClientGone = () => abortUpstream('client');
  input.signal.addEventListener('abort', onClientGone, { once: true });
  // One timer per call, pushed forward on each piece (refresh() re-arms it without a new timer).
  timer = setTimeout(onTimeout, deps.timeouts.firstTokenTimeoutMs);

  let text = '';
  let reader: ((text: string) => void) | undefined;
  let markStarted!: () => void;
  const startedOrEnded = new Promise<void>((resolve) => (markStarted = resolve));

  const done = (async (): Promise<ModelCallResult> => {
    let error: unknown;
    let outcome: Awaited<ReturnType<ReturnType<ProviderFor>['call']>> | undefined;
    try {
      outcome = await deps.providerFor(input.model).call(
        {
          model: input.model.providerModel,
          system: input.system,
          messages: input.messages,
          maxOutputTokens: input.maxOutputTokens,
          settings: input.settings,
          stream: input.stream ?? true,
          signal: upstream.signal,
        },
        {
          onStart() {
            begun = true;
            clearTimeout(timer);
            timer = setTimeout(onTimeout, deps.timeouts.idleTimeoutMs);
            markStarted();
          },
          onText(piece) {
            timer?.refresh();
            text += piece;
            reader?.(piece);
          },
        },
      );
    } catch (err) {
      error = err;
    } finally {
      clearTimeout(timer);
      input.signal.removeEventListener('abort', onClientGone);
      input.leave();
    }

    // A reply that reached its finish is complete even if the client left a moment later.
    const result = resultOf(input, text, begun, outcome, error, stopReason);
    if (result.failure)
      deps.log.warn(
        { upstreamError: describeUpstreamError(error), requestId: input.requestId, model: input.model.id, code: result.failure.code },
        'model call failed',
      );
    try {
      await deps.usage.settle({
        requestId: input.requestId,
        userId: input.user.id,
        conversationId: input.conversationId,
        messageId: input.messageId,
        keyId: input.charge?.key?.id ?? null,
        teamId: input.charge?.team?.id ?? null,
        provider: input.model.provider,
        model: input.model.id,
        inputTokens: result.inputTokens,
        outputTokens: result.outputTokens,
        source: result.source,
        outcome: result.outcome,
      });
    } catch (err) {
      // The reservation stays; the usage module's reaper settles it after its TTL.
      deps.log.error({ err, requestId: input.requestId }, 'usage settle failed');
    }
    return result;
  })();
  void done.then(markStarted);
  const self: RunningCall = { stop: () => abortUpstream('shutdown'), done };
  running.add(self);
  void done.then(() => running.delete(self));

  return {
    async started(extra = {}) {
      await startedOrEnded;
      if (begun) return;
      const { failure } = await done;
      if (failure) {
        throw new AppError(failure.code, failure.message, { ...extra, ...(failure.upstreamStatus ? { upstream_status: failure.upstreamStatus } : {}) });
      }
    },
    read(onText) {
      if (text) onText(text);
      reader = onText;
    },
    done,
    textSoFar: () => text,
  };
}

/**
 * Provider-reported usage when the provider gave it; otherwise our count of the prompt and of the
 * text actually produced. A provider that refused the request or was never reached did no work.
 * A call not streamed that ended before its answer (stopped, broken off, timed out) produced an
 * unknown amount, which providers bill (generation goes on after a client leaves): it is charged
 * its whole output cap, the worst case it reserved (docs/decisions/010-lean-stream-core.md).
 */
function resultOf(
  input: RunInput,
  text: string,
  begun: boolean,
  outcome: { finishReason: FinishReason; usage?: { inputTokens: number; outputTokens: number } } | undefined,
  error: unknown,
  stopReason: StopReason | undefined,
): ModelCallResult {
  // Stopped by the client or by a shutdown: the text so far is the reply, as the user's stop makes it.
  const stopped = stopReason === 'client' || stopReason === 'shutdown';
  const state = outcome && error === undefined ? 'complete' : stopped ? 'stopped' : 'failed';
  const failure = state !== 'failed' ? undefined : stopReason === 'timeout' ? timeoutFailure(begun) : classifyUpstreamError(error);
  const reported = state === 'complete' ? outcome?.usage : undefined;
  const unseen = input.stream === false && state !== 'complete' && !failure?.refused;
  return {
    outcome: state,
    text,
    inputTokens: reported ? reported.inputTokens : failure?.refused ? 0 : input.promptTokens,
    // Our tokenizer may count the text higher than the provider did; the model was held to its
    // output cap, so an estimate above the cap is our count's error, and would break the hard cap.
    outputTokens: reported ? reported.outputTokens : unseen ? input.maxOutputTokens : Math.min(countTextTokens(text), input.maxOutputTokens),
    source: reported ? 'provider' : 'estimate',
    finishReason: outcome?.finishReason ?? 'other',
    failure,
  };
}
