// One chat request: check the model and the conversation, plan the exchange, build the trimmed
// prompt, then call the model through callModel (metered) with the messages stored first. What can
// go wrong before the provider starts answering is thrown as a problem response; after that it is
// an error part in the stream. The reply is stored with its final status whatever happens.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../../lib/errors.js';
import type { ConversationsService } from '../conversations/conversations.service.js';
import type { ModelsService } from '../models/models.service.js';
import type { TierName } from '../tiers/tiers.js';
import type { ChatBody } from './chat.schemas.js';
import { planExchange } from './exchange.js';
import { buildPrompt } from './history.js';
import type { CallModel, ModelCallResult } from '../model-calls/model-call.js';
import { createChatStream, type ReplyEnd } from './ui-stream.js';

export interface ChatServiceDeps {
  conversations: ConversationsService;
  models: ModelsService;
  callModel: CallModel;
  log: FastifyBaseLogger;
  /** How often a streaming reply's text is saved, so a crashed process loses at most this much of it. */
  checkpointMs?: number;
}

export function createChatService(deps: ChatServiceDeps) {
  const { conversations, models } = deps;

  return {
    async chat({ user, body, signal }: { user: { id: string; tier: TierName }; body: ChatBody; signal: AbortSignal }): Promise<Readable> {
      const model = models.resolveForUser(user, body.model);
      const existing = body.conversation_id ? await conversations.get({ userId: user.id, id: body.conversation_id }) : undefined;
      const plan = planExchange(body, existing?.messages ?? []);
      const system = existing?.conversation.system_prompt ?? undefined;
      const prompt = buildPrompt({ system, earlier: plan.earlier, userContent: plan.userContent, model });

      const conversationId = existing?.conversation.id ?? randomUUID();
      const assistantMessageId = randomUUID();
      let conversation = existing?.conversation;
      const call = await deps.callModel({
        user,
        model,
        system,
        messages: prompt.messages,
        promptTokens: prompt.tokens,
        conversationId,
        messageId: assistantMessageId,
        signal,
        prepare: async () => {
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
        },
      });

      // Stored and metered as soon as the call ends, whether or not anyone still reads the stream.
      const stopCheckpoints = checkpointWhileStreaming(assistantMessageId, call.textSoFar);
      const ending = call.done.then((result) => {
        stopCheckpoints();
        return storeReply(assistantMessageId, result);
      });
      if (!(await call.started)) {
        // The call ended before the provider answered: a refusal, an unreachable provider or a
        // timeout is still a plain problem response (the failed reply is stored all the same).
        const ended = await call.done;
        if (ended.failure) {
          await ending;
          throw new AppError(ended.failure.code, ended.failure.message, {
            conversation_id: conversationId,
            user_message_id: plan.userMessageId,
            message_id: assistantMessageId,
            ...(ended.failure.upstreamStatus ? { upstream_status: ended.failure.upstreamStatus } : {}),
          });
        }
      }
      return createChatStream({
        assistantMessageId,
        userMessageId: plan.userMessageId,
        conversation: { id: conversationId, title: conversation!.title },
        model: model.id,
        deltas: call.deltas,
        end: () => ending,
      });
    },
  };

  function checkpointWhileStreaming(id: string, textSoFar: () => string): () => void {
    let saved = '';
    let writing = false;
    const timer = setInterval(() => {
      const text = textSoFar();
      if (writing || text === saved) return;
      writing = true;
      conversations
        .checkpointReply({ id, content: text })
        .then(() => (saved = text))
        .catch((err: unknown) => deps.log.warn({ err, messageId: id }, 'saving a streaming reply failed'))
        .finally(() => (writing = false));
    }, deps.checkpointMs ?? 1000);
    timer.unref();
    return () => clearInterval(timer);
  }

  async function storeReply(id: string, result: ModelCallResult): Promise<ReplyEnd> {
    const status = result.outcome;
    await conversations
      .finishReply({ id, content: result.text, status, error: result.failure?.message ?? null, inputTokens: result.inputTokens, outputTokens: result.outputTokens })
      // The client still gets its end; the usage reaper marks a reply left 'streaming' as failed.
      .catch((err: unknown) => deps.log.error({ err, messageId: id }, 'storing the end of a reply failed'));
    return {
      status,
      usage: { input_tokens: result.inputTokens, output_tokens: result.outputTokens, total_tokens: result.inputTokens + result.outputTokens },
      finishReason: result.finishReason,
      errorText: result.failure?.message,
    };
  }
}

export type ChatService = ReturnType<typeof createChatService>;
