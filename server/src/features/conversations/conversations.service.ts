// Conversations belong to one user. Every lookup is by (id, owner), so another user's conversation
// is indistinguishable from a missing one: both answer 404 CONVERSATION_NOT_FOUND.
import { randomUUID } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import { assertSystemPromptFits } from '../../lib/system-prompt.js';
import type { TierName } from '../../lib/tiers/tiers.js';
import type { Db } from '../../platform/db/db.js';
import { retryOnConnectionLoss } from '../../platform/db/retry.js';
import type { ModelsService } from '../models/models.service.js';
import type { PreferencesService } from '../preferences/preferences.service.js';
import {
  deleteConversation,
  findConversation,
  insertConversation,
  insertConversationWithExchange,
  listConversationsByUser,
  touchConversation,
  updateConversation,
  updateCurrentLeaf,
  type ConversationRow,
} from './conversations.repository.js';
import { toConversationResponse, type ConversationWithMessages } from './conversations.schemas.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { exportConversation } from './export.js';
import { buildTree, newestLeafUnder, pathTo, shownBranch } from './message-tree.js';
import {
  failStreamingMessage,
  findStreamingContent,
  finishMessage,
  insertMessage,
  listMessagesOfConversation,
  saveStreamingContents,
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
  /** The user message answered: new for send and edit, an existing one for regenerate. */
  userMessageId: string;
  userContent: string;
  /** What a new user message follows (send, edit); null at the start of the conversation. */
  parentId: string | null;
  assistantMessageId: string;
  /** A new conversation's system prompt (startingSystemPrompt's); an existing one keeps its own. */
  systemPrompt?: string | null;
}

export function createConversationsService({
  db,
  models,
  preferences,
  now,
}: {
  db: Db;
  models: ModelsService;
  preferences: Pick<PreferencesService, 'defaultSystemPrompt'>;
  now: () => Date;
}) {
  async function owned(userId: string, id: string) {
    const conversation = await findConversation(db, { id, userId });
    if (!conversation) throw new AppError('CONVERSATION_NOT_FOUND');
    return conversation;
  }

  async function withMessages({ userId, id }: { userId: string; id: string }): Promise<ConversationWithMessages> {
    const conversation = await owned(userId, id);
    const all = await listMessagesOfConversation(db, { conversationId: id });
    const tree = buildTree(all);
    return { conversation, messages: shownBranch(tree, conversation.current_leaf_id), all, tree };
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
      assertSystemPromptFits(systemPrompt);
      // No system_prompt in the request: the user's default instructions, copied (null keeps none).
      const prompt = systemPrompt === undefined ? await preferences.defaultSystemPrompt(user.id) : systemPrompt;
      return insertConversation(db, { id: randomUUID(), userId: user.id, title: title ?? null, model: modelId, systemPrompt: prompt });
    },

    /** The system prompt a conversation started by chatting gets: the user's default instructions. */
    startingSystemPrompt: (userId: string) => preferences.defaultSystemPrompt(userId),

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
      assertSystemPromptFits(changes.systemPrompt);
      const row = await updateConversation(db, { id, userId: user.id, changes });
      if (!row) throw new AppError('CONVERSATION_NOT_FOUND');
      return row;
    },

    async remove({ userId, id }: { userId: string; id: string }) {
      if (!(await deleteConversation(db, { id, userId }))) throw new AppError('CONVERSATION_NOT_FOUND');
    },

    /**
     * Shows the branch through one message (a version picked with the arrows): from the root to
     * it, then down to what was written last below it. The next exchange continues that branch.
     */
    async showBranch({ userId, id, messageId }: { userId: string; id: string; messageId: string }): Promise<ConversationWithMessages> {
      const { tree } = await withMessages({ userId, id });
      const message = tree.byId.get(messageId);
      if (!message) throw new AppError('MESSAGE_NOT_FOUND', `There is no message ${messageId} in this conversation.`);
      if (!(await updateCurrentLeaf(db, { id, userId, leafId: newestLeafUnder(tree, message).id }))) throw new AppError('CONVERSATION_NOT_FOUND');
      return withMessages({ userId, id });
    },

    /** Where the branch shown ends (what a shared link shows up to); null for an empty conversation. */
    async branchEnd({ userId, id }: { userId: string; id: string }): Promise<{ conversation: ConversationRow; leafId: string | null }> {
      const { conversation, messages } = await withMessages({ userId, id });
      return { conversation, leafId: messages.at(-1)?.id ?? null };
    },

    /**
     * A shared link's view (docs/decisions/022): the owner's conversation, read by the owner's id
     * that the link's row holds, and the messages from the first to `leafId` only, whatever was
     * written after. Undefined when the conversation or that message is gone.
     */
    async branchUpTo({ userId, id, leafId }: { userId: string; id: string; leafId: string }) {
      const conversation = await findConversation(db, { id, userId });
      if (!conversation) return undefined;
      const tree = buildTree(await listMessagesOfConversation(db, { conversationId: id }));
      const leaf = tree.byId.get(leafId);
      return leaf ? { conversation, messages: pathTo(tree, leaf) } : undefined;
    },

    async export({ userId, id, format }: { userId: string; id: string; format: 'json' | 'markdown' }) {
      return exportConversation(await withMessages({ userId, id }), format, now());
    },

    /**
     * Writes the start of an exchange in one transaction, before the model is called: the
     * conversation (if new), the user's message (new for send and edit: an edit is a new version
     * beside the old one), the assistant's reply with status 'streaming' under it, and that reply
     * as the branch shown. Nothing is deleted (docs/decisions/018).
     */
    async beginExchange(x: BeginExchange): Promise<ConversationRow> {
      // The most common exchange, the first of a new conversation, is one statement.
      if (x.isNew && x.kind === 'send') {
        return insertConversationWithExchange(db, {
          id: x.conversationId,
          userId: x.userId,
          title: titleFromMessage(x.userContent),
          model: x.model,
          systemPrompt: x.systemPrompt ?? null,
          userMessageId: x.userMessageId,
          userContent: x.userContent,
          assistantMessageId: x.assistantMessageId,
        });
      }
      return db.transaction(async (tx) => {
        if (x.isNew) {
          await insertConversation(tx, { id: x.conversationId, userId: x.userId, title: null, model: x.model, systemPrompt: x.systemPrompt ?? null });
        } else if (!(await findConversation(tx, { id: x.conversationId, userId: x.userId, forUpdate: true }))) {
          throw new AppError('CONVERSATION_NOT_FOUND'); // deleted meanwhile
        }
        if (x.kind !== 'regenerate') {
          await insertMessage(tx, {
            id: x.userMessageId,
            conversationId: x.conversationId,
            userId: x.userId,
            parentId: x.parentId,
            role: 'user',
            content: x.userContent,
            status: 'complete',
            model: null,
          });
        }
        await insertMessage(tx, {
          id: x.assistantMessageId,
          conversationId: x.conversationId,
          userId: x.userId,
          parentId: x.userMessageId,
          role: 'assistant',
          content: '',
          status: 'streaming',
          model: x.model,
        });
        return touchConversation(tx, { id: x.conversationId, model: x.model, title: titleFromMessage(x.userContent), leafId: x.assistantMessageId });
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
export type { ConversationRow, ConversationWithMessages, MessageRow };
