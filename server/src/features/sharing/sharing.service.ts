// Shared links (docs/decisions/022): the owner makes, updates and deletes a conversation's link;
// anyone with the token reads the conversation as it was when the link was made or last updated.
// Conversations and messages are read through the conversations service only (decision 011).
import { randomBytes } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import type { Db } from '../../platform/db/db.js';
import type { RateLimiter } from '../../platform/rate-limits/rate-limits.service.js';
import type { ConversationsService } from '../conversations/conversations.service.js';
import { findLiveShareByToken, findLiveShareOfConversation, revokeLiveShare, upsertLiveShare } from './sharing.repository.js';
import { TOKEN_PATTERN, toSharedConversationResponse, toShareLinkResponse } from './sharing.schemas.js';

const FOREIGN_KEY_VIOLATION = '23503';

export function createSharingService(deps: {
  db: Db;
  conversations: Pick<ConversationsService, 'branchEnd' | 'branchUpTo'>;
  rateLimiter: RateLimiter;
  /** Where links point: PUBLIC_URL, or this server's address. */
  publicUrl: string;
  readsPerMinute: number;
}) {
  const { db, conversations, publicUrl } = deps;

  return {
    /** The conversation's live link, or null. Another user's conversation is a 404, as everywhere. */
    async status({ userId, conversationId }: { userId: string; conversationId: string }) {
      const { leafId } = await conversations.branchEnd({ userId, id: conversationId });
      const row = await findLiveShareOfConversation(db, { conversationId, userId });
      return { link: row ? toShareLinkResponse(row, publicUrl, leafId) : null };
    },

    /** Makes the link, or moves the live one (same token) to the end of the branch shown now. */
    async share({ userId, conversationId }: { userId: string; conversationId: string }) {
      const { leafId } = await conversations.branchEnd({ userId, id: conversationId });
      if (!leafId) throw new AppError('NOTHING_TO_SHARE', 'Send a message first: a shared link shows the messages written so far.');
      try {
        const row = await upsertLiveShare(db, { conversationId, userId, token: randomBytes(24).toString('base64url'), leafId });
        return { created: row.created, link: toShareLinkResponse(row, publicUrl, leafId) };
      } catch (err) {
        // The conversation was deleted between the read and the write.
        if ((err as { code?: string }).code === FOREIGN_KEY_VIOLATION) throw new AppError('CONVERSATION_NOT_FOUND');
        throw err;
      }
    },

    /** Deletes the live link, if any: its token never works again. Sharing again makes a new one. */
    async revoke({ userId, conversationId }: { userId: string; conversationId: string }) {
      await conversations.branchEnd({ userId, id: conversationId });
      await revokeLiveShare(db, { conversationId, userId });
    },

    /**
     * The public read. Every attempt counts against the caller's address first, so guessing
     * tokens is as slow as the limit; a token of the wrong shape is not looked up.
     */
    async read({ token, ip }: { token: string; ip: string }) {
      await deps.rateLimiter.hit([{ key: `shared-link:ip:${ip}`, limit: deps.readsPerMinute, windowSeconds: 60 }]);
      const share = TOKEN_PATTERN.test(token) ? await findLiveShareByToken(db, { token }) : undefined;
      const view = share && (await conversations.branchUpTo({ userId: share.user_id, id: share.conversation_id, leafId: share.leaf_message_id }));
      if (!share || !view) throw new AppError('SHARED_LINK_NOT_FOUND');
      return toSharedConversationResponse(view.conversation, share, view.messages);
    },
  };
}

export type SharingService = ReturnType<typeof createSharingService>;
