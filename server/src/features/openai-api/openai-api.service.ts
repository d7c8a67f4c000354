// The OpenAI-compatible API: the same models, tier access, metering and limits as the chat, for
// programs. A completion is stateless, as on OpenAI's API: the caller sends the whole dialogue and
// nothing is stored but the call's usage record (so it shows in /api/usage by model). The model is
// called through model-calls, the one metered bracket every model call goes through.
import type { Readable } from 'node:stream';
import { AppError } from '../../lib/errors.js';
import type { ModelCall, ModelCalls } from '../../lib/model-calls/model-call.js';
import { countPromptTokens, type PromptMessage } from '../../lib/model-calls/tokenizer.js';
import type { Charge, QuotaState } from '../../lib/model-calls/usage-meter.js';
import type { TierName } from '../../lib/tiers/tiers.js';
import type { ModelsService } from '../models/models.service.js';
import { completionChunks, toChatCompletion, type CompletionMeta } from './completion-format.js';
import type { ChatCompletion, ChatCompletionBody, ChatCompletionMessage } from './openai-api.schemas.js';

export interface OpenAiApiDeps {
  models: ModelsService;
  modelCalls: ModelCalls;
  now: () => Date;
}

interface CompletionRequest {
  user: { id: string; tier: TierName; monthly_token_cap?: number | null };
  body: ChatCompletionBody;
  /** The API key the call came with: a level of its budget. */
  charge?: Charge;
  /** Aborts when the client goes away: the upstream call stops and what was used is settled. */
  signal: AbortSignal;
  /** Told the user's limits once the call is reserved (the route sends them as headers). */
  onQuota?: (quota: QuotaState) => void;
}

const MODELS_ROUTE = 'GET /v1/models';

/** Text parts are joined by a line break, as vLLM does for models that take one string. */
function textOf(content: ChatCompletionMessage['content']): string {
  if (content === null || content === undefined) return '';
  return typeof content === 'string' ? content : content.map((p) => p.text).join('\n');
}

/** System (and developer) messages become the system prompt, in order; the rest is the dialogue. */
function toPrompt(messages: ChatCompletionMessage[]): { system: string | undefined; messages: PromptMessage[] } {
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content));
  const dialogue = messages.flatMap((m): PromptMessage[] =>
    m.role === 'user' || m.role === 'assistant' ? [{ role: m.role, content: textOf(m.content) }] : [],
  );
  return { system: system.length ? system.join('\n\n') : undefined, messages: dialogue };
}

export function createOpenAiApiService(deps: OpenAiApiDeps) {
  const { models, now } = deps;
  // The catalogue has no dates; "created" is when this server started offering its models.
  const catalogueCreated = Math.floor(now().getTime() / 1000);

  /** Reserves, calls the model and waits until it starts answering; failures before that throw. */
  async function start({ user, body, signal, onQuota, charge }: CompletionRequest, stream: boolean): Promise<{ meta: CompletionMeta; call: ModelCall }> {
    // A team key runs on the team's plan: its tier decides the models.
    const model = models.resolveForUser(charge?.team ? { ...user, tier: charge.team.tier } : user, body.model, MODELS_ROUTE);
    const prompt = toPrompt(body.messages);
    const stop = body.stop ?? undefined;
    const reserved = await deps.modelCalls.reserve({
      user,
      model,
      promptTokens: countPromptTokens(prompt.system, prompt.messages),
      maxOutputTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      // Stateless: no conversation, no stored message; the usage record is all that is written.
      conversationId: null,
      messageId: null,
      signal,
      charge,
    });
    if (reserved.quota) onQuota?.(reserved.quota);
    const call = reserved.start({
      ...prompt,
      settings: { temperature: body.temperature ?? undefined, topP: body.top_p ?? undefined, stopSequences: typeof stop === 'string' ? [stop] : stop },
      stream,
    });
    await call.started();
    // The completion's id carries the call's usage record id, so a caller can match a completion to
    // its line in the usage (and the reliability suite each call it saw to its one record).
    const meta = { id: `chatcmpl-${reserved.requestId}`, created: Math.floor(now().getTime() / 1000), model: model.id };
    return { meta, call };
  }

  return {
    listModels(user: { tier: TierName }, team?: { tier: TierName }) {
      return {
        object: 'list' as const,
        data: models.listForTier((team ?? user).tier).map((m) => ({ id: m.id, object: 'model' as const, created: catalogueCreated, owned_by: m.provider })),
      };
    },

    /** A whole chat.completion; a reply that breaks off midway is an error, its usage settled all the same. */
    async complete(request: CompletionRequest): Promise<ChatCompletion> {
      const { meta, call } = await start(request, false);
      const result = await call.done;
      if (result.failure) throw new AppError(result.failure.code, result.failure.message);
      return toChatCompletion(meta, result);
    },

    /** chat.completion.chunk events (SSE) as the reply arrives. */
    async stream(request: CompletionRequest & { includeUsage: boolean }): Promise<Readable> {
      const { meta, call } = await start(request, true);
      return completionChunks(meta, call, { includeUsage: request.includeUsage });
    },
  };
}

export type OpenAiApiService = ReturnType<typeof createOpenAiApiService>;
