// One chat request, read top to bottom: check the model and the conversation, plan the exchange,
// build the trimmed prompt, reserve the call (admission and quota: a refusal stores nothing),
// store the exchange, start the model. What goes wrong before the provider starts answering is a
// problem response; after that it is an error part in the stream. The reply is stored with its
// final status whatever happens.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../../lib/errors.js';
import type { ModelCall, ModelCallResult, ModelCalls } from '../../lib/model-calls/model-call.js';
import type { TierName } from '../../lib/tiers/tiers.js';
import type { Db } from '../../platform/db/db.js';
import type { ConversationsService } from '../conversations/conversations.service.js';
import type { ModelsService } from '../models/models.service.js';
import type { TeamsService } from '../teams/teams.service.js';
import type { ChatBody } from './chat.schemas.js';
import { planExchange } from './exchange.js';
import { buildPrompt } from './history.js';
import { createLiveReplies, type ReplyEnd, type ReplyHeader } from './live-replies.js';
import { createReplyCheckpoints } from './reply-checkpoints.js';
import { createReplyRelay, type ReplyRelay, type StoredEnd } from './reply-relay.js';
import { createChatStream } from './ui-stream.js';

export interface ChatServiceDeps {
  conversations: ConversationsService;
  models: ModelsService;
  modelCalls: ModelCalls;
  /** Charging a chat to a team (body.team_id): the caller must be in it. */
  teams?: Pick<TeamsService, 'chargeFor'>;
  log: FastifyBaseLogger;
  /** On PostgreSQL, replies are relayed between processes over it (reply-relay.ts). */
  db?: Db;
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

  let repliesMayRunUntil: Promise<unknown> = Promise.resolve();
  const live = createLiveReplies({ onEnded: (reply, end) => relay?.onLocalEnded(reply, end) });
  const relay = deps.db ? createReplyRelay({ db: deps.db, live, log: deps.log }) : undefined;
  // Listening starts with the first request that needs it (a CLI building the services never does).
  let listening: Promise<ReplyRelay | undefined> | undefined;
  const relayReady = () =>
    (listening ??= relay
      ? relay.start().then(
          () => relay,
          (err: unknown) => {
            deps.log.error({ err }, 'listening for replies of other processes failed');
            listening = undefined;
            return undefined;
          },
        )
      : Promise.resolve(undefined));

  /**
   * The reply streaming in a conversation as stored: its row, and the header a reader needs. It may
   * be on a branch not shown (the user switched versions meanwhile): the newest one counts.
   */
  async function streamingReply(userId: string, conversationId: string) {
    const { conversation, all } = await conversations.get({ userId, id: conversationId });
    const last = all.filter((m) => m.role === 'assistant' && m.status === 'streaming').at(-1);
    if (!last) return undefined;
    const header: ReplyHeader = {
      assistantMessageId: last.id,
      userMessageId: last.parent_id ?? '',
      conversation: { id: conversation.id, title: conversation.title },
      model: last.model ?? conversation.model,
    };
    return header;
  }

  async function storedEnd(userId: string, conversationId: string, id: string): Promise<StoredEnd | undefined> {
    const stored = await conversations.get({ userId, id: conversationId }).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'CONVERSATION_NOT_FOUND') return undefined;
      throw err;
    });
    const m = stored?.tree.byId.get(id);
    if (m?.status === 'streaming') return undefined;
    const input = m?.input_tokens ?? 0;
    const output = m?.output_tokens ?? 0;
    return {
      content: m?.content ?? '',
      end: {
        status: m ? m.status : 'failed',
        usage: { input_tokens: input, output_tokens: output, total_tokens: input + output },
        finishReason: m?.status === 'complete' ? 'stop' : 'other',
        errorText: m ? (m.error ?? undefined) : 'The conversation was deleted.',
      },
    };
  }

  function teamCharge(userId: string, teamId: string) {
    if (!deps.teams) throw new AppError('TEAM_NOT_FOUND', `You are not a member of a team ${teamId}.`);
    return deps.teams.chargeFor(userId, teamId);
  }

  return {
    /**
     * Starts a reply and returns the stream of its first reader. The reply is generated to its end
     * whether or not anyone reads it; only a client gone before the exchange is stored cancels it.
     */
    async chat({
      user,
      body,
      signal,
    }: {
      user: { id: string; tier: TierName; monthly_token_cap?: number | null };
      body: ChatBody;
      /** Aborts when this request's client goes away. */
      signal: AbortSignal;
    }): Promise<Readable> {
      // On a team's plan the team's tier decides the models and pays (docs/decisions/021); 404 for a
      // team the user is not in.
      const team = body.team_id ? await teamCharge(user.id, body.team_id) : undefined;
      const model = models.resolveForUser(team ? { ...user, tier: team.tier } : user, body.model);
      const existing = body.conversation_id ? await conversations.get({ userId: user.id, id: body.conversation_id }) : undefined;
      const plan = planExchange(body, existing?.messages ?? [], existing?.tree);
      // A new conversation starts with the user's default instructions (Settings), stored with it.
      const systemPrompt = existing ? existing.conversation.system_prompt : await conversations.startingSystemPrompt(user.id);
      const system = systemPrompt ?? undefined;
      const prompt = buildPrompt({ system, earlier: plan.earlier, userContent: plan.userContent, model });
      const conversationId = existing?.conversation.id ?? randomUUID();
      const assistantMessageId = randomUUID();
      void relayReady();

      // Until the exchange is stored, a client that leaves takes its request with it; after that
      // only Stop ends the reply early.
      const stopper = new AbortController();
      const leftEarly = () => stopper.abort();
      if (signal.aborted) stopper.abort();
      signal.addEventListener('abort', leftEarly, { once: true });
      let conversation: Awaited<ReturnType<ConversationsService['beginExchange']>>;
      let call: ModelCall;
      try {
        const reserved = await modelCalls.reserve({
          user,
          model,
          promptTokens: prompt.tokens,
          conversationId,
          messageId: assistantMessageId,
          signal: stopper.signal,
          charge: team ? { team } : undefined,
        });
        try {
          conversation = await conversations.beginExchange({
            userId: user.id,
            conversationId,
            isNew: !existing,
            model: model.id,
            kind: plan.kind,
            userMessageId: plan.userMessageId,
            userContent: plan.userContent,
            parentId: plan.parentId,
            assistantMessageId,
            systemPrompt,
          });
        } catch (err) {
          await reserved.release();
          throw err;
        }
        call = reserved.start({ system, messages: prompt.messages });
      } finally {
        signal.removeEventListener('abort', leftEarly);
      }
      // Stored and metered as soon as the call ends, whether or not anyone still reads the stream.
      const stopCheckpoints = checkpoints.track(assistantMessageId, call.textSoFar);
      const ending = call.done.then((result) => {
        stopCheckpoints();
        return storeReply(assistantMessageId, result);
      });
      const reply = live.run({
        header: { assistantMessageId, userMessageId: plan.userMessageId, conversation: { id: conversationId, title: conversation.title }, model: model.id },
        userId: user.id,
        call,
        end: ending,
        stop: () => stopper.abort(),
      });
      // A refusal, an unreachable provider or a timeout before the first token is still a plain
      // problem response, sent once the failed reply is stored.
      await call
        .started({ conversation_id: conversationId, user_message_id: plan.userMessageId, message_id: assistantMessageId })
        .catch(async (err: unknown) => {
          await ending;
          throw err;
        });
      return createChatStream(reply, signal);
    },

    /**
     * Re-attaches to the reply in flight in a conversation, on this process or another: its stream
     * from the start, then live. Null when no reply is streaming there.
     */
    async attach({ userId, conversationId, signal }: { userId: string; conversationId: string; signal: AbortSignal }): Promise<Readable | null> {
      const local = live.inConversation({ conversationId, userId });
      if (local) return createChatStream(local, signal);
      const header = await streamingReply(userId, conversationId);
      if (!header) return null;
      const here = live.byMessage(header.assistantMessageId); // started here meanwhile
      if (here) return createChatStream(here, signal);
      const r = await relayReady();
      // Without the relay (PGlite: one process) a streaming row nobody here writes is a reply whose
      // process stopped; the reaper marks it failed.
      if (!r) return null;
      const feed = r.watch(header, () => storedEnd(userId, conversationId, header.assistantMessageId));
      return createChatStream(feed, signal);
    },

    /** The user's Stop: ends the reply in flight in the conversation wherever it runs. */
    async stop({ userId, conversationId }: { userId: string; conversationId: string }): Promise<{ message_id: string } | null> {
      const local = live.inConversation({ conversationId, userId });
      if (local) {
        local.stop();
        return { message_id: local.header.assistantMessageId };
      }
      const header = await streamingReply(userId, conversationId);
      if (!header) return null;
      const here = live.byMessage(header.assistantMessageId);
      if (here) here.stop();
      else await (await relayReady())?.stop(header.assistantMessageId, userId);
      return { message_id: header.assistantMessageId };
    },

    /** The replies in flight on this process, for a shutdown that waits for them (settled()). */
    replies: { size: () => live.size, settled: () => live.settled() },

    /**
     * Lets the replies in flight run on until `graceOver` (or their end) when close() comes: a
     * reply outlives its connection, so the server's close, which comes once no response is open,
     * must not cut the ones nobody watches before the shutdown's grace period is over.
     */
    letRepliesRunUntil(graceOver: Promise<unknown>) {
      repliesMayRunUntil = graceOver;
    },

    /** Stops what still runs (after the grace given, if any), waits until it is stored, stops listening to other processes. */
    async close() {
      await Promise.race([live.settled(), repliesMayRunUntil]);
      await live.stopAll();
      await relay?.close();
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;
