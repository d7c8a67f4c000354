// Conversations belong to one user. Every lookup is by (id, owner), so another user's conversation
// is indistinguishable from a missing one: both answer 404 CONVERSATION_NOT_FOUND.
import { randomUUID } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import type { TierName } from '../../lib/tiers/tiers.js';
import type { Db } from '../../platform/db/db.js';
import { retryOnConnectionLoss } from '../../platform/db/retry.js';
import type { ModelsService } from '../models/models.service.js';
import {
  deleteConversation,
  findConversation,
  insertConversation,
  insertConversationWithExchange,
  listConversationsByUser,
  touchConversation,
  updateConversation,
  type ConversationRow,
} from './conversations.repository.js';
import { toConversationResponse } from './conversations.schemas.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { exportConversation } from './export.js';
import {
  deleteMessagesAfter,
  failStreamingMessage,
  findStreamingContent,
  finishMessage,
  insertMessage,
  listMessagesOfConversation,
  saveStreamingContents,
  updateUserMessageContent,
  type MessageRow,
} from './messages.repository.js';
import { titleFromMessage } from './titles.js';

type Owner = { id: string; tier: TierName };

export interface BeginExchange {
  userId: string;
  conversationId: string;
  /** True when the conversation does not exist yet and is created here. */
  isNew: boolean;
  model: string;
  kind: 'send' | 'regenerate' | 'edit';
  userMessageId: string;
  userContent: string;
  assistantMessageId: string;
}

export function createConversationsService({ db, models, now }: { db: Db; models: ModelsService; now: () => Date }) {
  async function owned(userId: string, id: string) {
    const conversation = await findConversation(db, { id, userId });
    if (!conversation) throw new AppError('CONVERSATION_NOT_FOUND');
    return conversation;
  }

  async function withMessages({ userId, id }: { userId: string; id: string }) {
    const conversation = await owned(userId, id);
    return { conversation, messages: await listMessagesOfConversation(db, { conversationId: id }) };
  }

  return {
    async list({ userId, limit, cursor, q, archived }: { userId: string; limit: number; cursor?: string; q?: string; archived: boolean }) {
      const rows = await listConversationsByUser(db, {
        userId,
        archived,
        limit: limit + 1,
        cursor: cursor ? decodeCursor(cursor) : undefined,
        q: q || undefined,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toConversationResponse),
        next_cursor: rows.length > limit && last ? encodeCursor({ pinned: last.pinned, activeAt: last.active_key, id: last.id }) : null,
      };
    },

    async create({ user, title, model, systemPrompt }: { user: Owner; title?: string; model?: string; systemPrompt?: string | null }) {
      const modelId = model ?? models.defaultForTier(user.tier);
      if (!modelId) throw new AppError('MODEL_NOT_ALLOWED', 'Your plan includes no model.');
      models.resolveForUser(user, modelId);
      return insertConversation(db, { id: randomUUID(), userId: user.id, title: title ?? null, model: modelId, systemPrompt: systemPrompt ?? null });
    },

    get: withMessages,

    async update({
      user,
      id,
      changes,
    }: {
      user: Owner;
      id: string;
      changes: { title?: string | null; pinned?: boolean; archived?: boolean; systemPrompt?: string | null; model?: string };
    }) {
      if (changes.model !== undefined) models.resolveForUser(user, changes.model);
      const row = await updateConversation(db, { id, userId: user.id, changes });
      if (!row) throw new AppError('CONVERSATION_NOT_FOUND');
      return row;
    },

    async remove({ userId, id }: { userId: string; id: string }) {
      if (!(await deleteConversation(db, { id, userId }))) throw new AppError('CONVERSATION_NOT_FOUND');
    },

    async export({ userId, id, format }: { userId: string; id: string; format: 'json' | 'markdown' }) {
      const { conversation, messages } = await withMessages({ userId, id });
      return exportConversation(conversation, messages, format, now());
    },

    /**
     * Writes the start of an exchange in one transaction, before the model is called: the
     * conversation (if new), the user's message (appended or edited), the removal of what the
     * exchange replaces, and the assistant's reply with status 'streaming'.
     */
    async beginExchange(x: BeginExchange): Promise<ConversationRow> {
      // The most common exchange, the first of a new conversation, is one statement.
      if (x.isNew && x.kind === 'send') {
        return insertConversationWithExchange(db, {
          id: x.conversationId,
          userId: x.userId,
          title: titleFromMessage(x.userContent),
          model: x.model,
          userMessageId: x.userMessageId,
          userContent: x.userContent,
          assistantMessageId: x.assistantMessageId,
        });
      }
      return db.transaction(async (tx) => {
        if (x.isNew) {
          await insertConversation(tx, { id: x.conversationId, userId: x.userId, title: null, model: x.model, systemPrompt: null });
        } else if (!(await findConversation(tx, { id: x.conversationId, userId: x.userId, forUpdate: true }))) {
          throw new AppError('CONVERSATION_NOT_FOUND'); // deleted meanwhile
        }
        if (x.kind === 'send') {
          await insertMessage(tx, {
            id: x.userMessageId,
            conversationId: x.conversationId,
            userId: x.userId,
            role: 'user',
            content: x.userContent,
            status: 'complete',
            model: null,
          });
        } else {
          if (x.kind === 'edit' && !(await updateUserMessageContent(tx, { id: x.userMessageId, conversationId: x.conversationId, content: x.userContent }))) {
            throw new AppError('MESSAGE_NOT_FOUND'); // deleted meanwhile
          }
          await deleteMessagesAfter(tx, { conversationId: x.conversationId, messageId: x.userMessageId });
        }
        await insertMessage(tx, {
          id: x.assistantMessageId,
          conversationId: x.conversationId,
          userId: x.userId,
          role: 'assistant',
          content: '',
          status: 'streaming',
          model: x.model,
        });
        return touchConversation(tx, { id: x.conversationId, model: x.model, title: titleFromMessage(x.userContent) });
      });
    },

    /** Writes the end of a reply: its text so far, its status and, when failed, a safe error. */
    async finishReply(m: {
      id: string;
      content: string;
      status: 'complete' | 'stopped' | 'failed';
      error: string | null;
      inputTokens: number;
      outputTokens: number;
    }) {
      // Setting a final state is idempotent: safe to retry through a database restart.
      await retryOnConnectionLoss(() => finishMessage(db, m));
    },

    /** For the usage reaper: the replies a stopped process was writing. */
    streamingReplies: {
      textOf: (id: string) => findStreamingContent(db, { id }),
      markFailed: (id: string) => failStreamingMessage(db, { id, error: 'The server stopped while writing this reply.' }),
    },

    /** The text so far of replies still streaming, all in one statement. */
    checkpointReplies: (replies: { id: string; content: string }[]) => saveStreamingContents(db, { replies }),
  };
}

export type ConversationsService = ReturnType<typeof createConversationsService>;
export type { MessageRow };
