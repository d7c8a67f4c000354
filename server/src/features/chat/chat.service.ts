// One chat request, read top to bottom: check the model and the conversation, plan the exchange,
// build the trimmed prompt, reserve the call (admission and quota: a refusal stores nothing),
// store the exchange, start the model. What goes wrong before the provider starts answering is a
// problem response; after that it is an error part in the stream. The reply is stored with its
// final status whatever happens.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { ModelCallResult, ModelCalls } from '../../lib/model-calls/model-call.js';
import type { TierName } from '../../lib/tiers/tiers.js';
import type { ConversationsService } from '../conversations/conversations.service.js';
import type { ModelsService } from '../models/models.service.js';
import type { ChatBody } from './chat.schemas.js';
import { planExchange } from './exchange.js';
import { buildPrompt } from './history.js';
import { createReplyCheckpoints } from './reply-checkpoints.js';
import { createChatStream, type ReplyEnd } from './ui-stream.js';

export interface ChatServiceDeps {
  conversations: ConversationsService;
  models: ModelsService;
  modelCalls: ModelCalls;
  log: FastifyBaseLogger;
  /** How often streaming replies' text is saved, so a crashed process loses at most this much of it. */
  checkpointMs?: number;
}

export function createChatService(deps: ChatServiceDeps) {
  const { conversations, models, modelCalls } = deps;
  const checkpoints = createReplyCheckpoints({
    save: (replies) => conversations.checkpointReplies(replies),
    intervalMs: deps.checkpointMs ?? 1000,
    log: deps.log,
  });

  async function storeReply(id: string, result: ModelCallResult): Promise<ReplyEnd> {
    const status = result.outcome;
    await conversations
      .finishReply({
        id,
        content: result.text,
        status,
        error: result.failure?.message ?? null,
        inputTokens: result.inputTokens,
        outputTokens: result.outputTokens,
      })
      // The client still gets its end; the usage reaper marks a reply left 'streaming' as failed.
      .catch((err: unknown) => deps.log.error({ err, messageId: id }, 'storing the end of a reply failed'));
    return {
      status,
      usage: { input_tokens: result.inputTokens, output_tokens: result.outputTokens, total_tokens: result.inputTokens + result.outputTokens },
      finishReason: result.finishReason,
      errorText: result.failure?.message,
    };
  }

  return {
    async chat({
      user,
      body,
      signal,
    }: {
      user: { id: string; tier: TierName; monthly_token_cap?: number | null };
      body: ChatBody;
      signal: AbortSignal;
    }): Promise<Readable> {
      const model = models.resolveForUser(user, body.model);
      const existing = body.conversation_id ? await conversations.get({ userId: user.id, id: body.conversation_id }) : undefined;
      const plan = planExchange(body, existing?.messages ?? []);
      const system = existing?.conversation.system_prompt ?? undefined;
      const prompt = buildPrompt({ system, earlier: plan.earlier, userContent: plan.userContent, model });
      const conversationId = existing?.conversation.id ?? randomUUID();
      const assistantMessageId = randomUUID();

      const reserved = await modelCalls.reserve({ user, model, promptTokens: prompt.tokens, conversationId, messageId: assistantMessageId, signal });
      let conversation;
      try {
        conversation = await conversations.beginExchange({
          userId: user.id,
          conversationId,
          isNew: !existing,
          model: model.id,
          kind: plan.kind,
          userMessageId: plan.userMessageId,
          userContent: plan.userContent,
          assistantMessageId,
        });
      } catch (err) {
        await reserved.release();
        throw err;
      }

      const call = reserved.start({ system, messages: prompt.messages });
      // Stored and metered as soon as the call ends, whether or not anyone still reads the stream.
      const stopCheckpoints = checkpoints.track(assistantMessageId, call.textSoFar);
      const ending = call.done.then((result) => {
        stopCheckpoints();
        return storeReply(assistantMessageId, result);
      });
      // A refusal, an unreachable provider or a timeout before the first token is still a plain
      // problem response, sent once the failed reply is stored.
      await call
        .started({ conversation_id: conversationId, user_message_id: plan.userMessageId, message_id: assistantMessageId })
        .catch(async (err: unknown) => {
          await ending;
          throw err;
        });
      return createChatStream({
        assistantMessageId,
        userMessageId: plan.userMessageId,
        conversation: { id: conversationId, title: conversation.title },
        model: model.id,
        call,
        end: ending,
      });
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;
