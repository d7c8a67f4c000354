import { z } from 'zod';
import type { ShareRow } from './sharing.repository.js';

/** A link's token: 24 random bytes in base64url (docs/decisions/022). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

// Any text: a token of the wrong shape is a link that does not exist (404), not bad input (422).
export const tokenParams = z.object({ token: z.string().describe('The token at the end of a shared link (/s/{token})') });

export const shareLinkResponse = z.object({
  token: z.string(),
  url: z.string().describe('The page anyone with the link can read, no account needed'),
  created_at: z.string(),
  updated_at: z.string().describe('When the link was last moved to the end of the branch shown'),
  up_to_date: z.boolean().describe('False when the conversation has moved on since: the link still shows it as it was then'),
});
export const shareStatusResponse = z.object({ link: shareLinkResponse.nullable().describe('Null when the conversation is not shared') });

export const sharedMessageResponse = z.object({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.string(),
  status: z.enum(['complete', 'streaming', 'stopped', 'failed']),
  created_at: z.string(),
});
export const sharedConversationResponse = z.object({
  title: z.string().nullable(),
  created_at: z.string().describe('When the conversation was started'),
  shared_at: z.string().describe('When the link was made or last updated: what it shows was written by then'),
  messages: z.array(sharedMessageResponse).describe('The branch shown when the link was made or updated, first message first'),
});

export type ShareStatusResponse = z.infer<typeof shareStatusResponse>;
export type SharedConversationResponse = z.infer<typeof sharedConversationResponse>;

const iso = (d: Date | string) => new Date(d).toISOString();

/** What a shared view takes of each message (conversations' MessageRow has these and more). */
type SharedMessage = Pick<z.infer<typeof sharedMessageResponse>, 'role' | 'content' | 'status'> & { created_at: Date };

export function toShareLinkResponse(row: ShareRow, publicUrl: string, currentLeafId: string | null): z.infer<typeof shareLinkResponse> {
  return {
    token: row.token,
    url: `${publicUrl}/s/${row.token}`,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    up_to_date: row.leaf_message_id === currentLeafId,
  };
}

/** What a reader of the link sees: no ids, no owner, no token counts, no system prompt. */
export function toSharedConversationResponse(
  conversation: { title: string | null; created_at: Date },
  share: ShareRow,
  messages: SharedMessage[],
): SharedConversationResponse {
  return {
    title: conversation.title,
    created_at: iso(conversation.created_at),
    shared_at: iso(share.updated_at),
    messages: messages.map((m) => ({ role: m.role, content: m.content, status: m.status, created_at: iso(m.created_at) })),
  };
}
