import { z } from 'zod';
import type { ConversationRow } from './conversations.repository.js';
import { versionsOf, type Tree } from './message-tree.js';
import type { MessageRow } from './messages.repository.js';

/** A conversation as read: the branch shown (`messages`), and every message (`all`) as a tree. */
export interface ConversationWithMessages {
  conversation: ConversationRow;
  messages: MessageRow[];
  all: MessageRow[];
  tree: Tree<MessageRow>;
}

// Any 8-4-4-4-12 hex id PostgreSQL accepts: a well-formed id that matches nothing is a 404, not a 422.
export const idSchema = z.guid('Use a conversation id (a UUID).');
export const idParams = z.object({ id: idSchema });

export const titleSchema = z.string().trim().min(1, 'A title needs at least one character.').max(200, 'Use at most 200 characters.');
// The 20,000-character limit is the service's (lib/system-prompt.ts): 422 SYSTEM_PROMPT_TOO_LONG.
export const systemPromptSchema = z.string();
const modelIdSchema = z.string().min(1).max(128);

export const listConversationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
  q: z.string().trim().max(200).optional(),
  archived: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export const createConversationBody = z
  .object({ title: titleSchema.optional(), model: modelIdSchema.optional(), system_prompt: systemPromptSchema.nullable().optional() })
  .strict();
export type CreateConversationBody = z.infer<typeof createConversationBody>;

export const updateConversationBody = z
  .object({
    title: titleSchema.nullable().optional(),
    pinned: z.boolean().optional(),
    archived: z.boolean().optional(),
    system_prompt: systemPromptSchema.nullable().optional(),
    model: modelIdSchema.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'Send at least one of title, pinned, archived, system_prompt, model.' });
export type UpdateConversationBody = z.infer<typeof updateConversationBody>;

export const showBranchBody = z.object({ message_id: z.guid('Use a message id (a UUID).') }).strict();
export type ShowBranchBody = z.infer<typeof showBranchBody>;

export const exportQuery = z.object({ format: z.enum(['json', 'markdown']).default('json') });

export const conversationResponse = z.object({
  id: z.string(),
  title: z.string().nullable(),
  model: z.string(),
  system_prompt: z.string().nullable(),
  pinned: z.boolean(),
  archived: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  last_message_at: z.string().nullable(),
});

export const messageResponse = z.object({
  id: z.string(),
  parent_id: z.string().nullable().describe('The message this one follows; null for the first'),
  role: z.enum(['user', 'assistant', 'system']),
  content: z.string(),
  status: z.enum(['complete', 'streaming', 'stopped', 'failed']),
  model: z.string().nullable(),
  error: z.string().nullable(),
  input_tokens: z.number().nullable(),
  output_tokens: z.number().nullable(),
  created_at: z.string(),
});

export const branchMessageResponse = messageResponse.extend({
  versions: z
    .array(z.string())
    .describe("The ids of this message's versions, itself included, oldest first: regenerated replies, edited messages. One when it has no other"),
});

export const conversationWithMessagesResponse = conversationResponse.extend({
  current_leaf_id: z.string().nullable().describe('The last message of the branch shown'),
  messages: z.array(branchMessageResponse).describe('The branch shown, from the first message to the current leaf'),
});
export const conversationListResponse = z.object({ items: z.array(conversationResponse), next_cursor: z.string().nullable() });

const iso = (d: Date | string) => new Date(d).toISOString();

export function toConversationResponse(row: ConversationRow): z.infer<typeof conversationResponse> {
  return {
    id: row.id,
    title: row.title,
    model: row.model,
    system_prompt: row.system_prompt,
    pinned: row.pinned,
    archived: row.archived,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    last_message_at: row.last_message_at ? iso(row.last_message_at) : null,
  };
}

export function toMessageResponse(row: MessageRow): z.infer<typeof messageResponse> {
  return {
    id: row.id,
    role: row.role,
    content: row.content,
    status: row.status,
    model: row.model,
    error: row.error,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    created_at: iso(row.created_at),
    parent_id: row.parent_id,
  };
}

/** The branch shown, each message with its versions, so a client can offer the others. */
export function toConversationWithMessagesResponse({ conversation, messages, tree }: ConversationWithMessages): ConversationWithMessagesResponse {
  return {
    ...toConversationResponse(conversation),
    current_leaf_id: messages.at(-1)?.id ?? null,
    messages: messages.map((m) => ({ ...toMessageResponse(m), versions: versionsOf(tree, m).map((v) => v.id) })),
  };
}

export type ConversationResponse = z.infer<typeof conversationResponse>;
export type MessageResponse = z.infer<typeof messageResponse>;
export type ConversationWithMessagesResponse = z.infer<typeof conversationWithMessagesResponse>;
export type ConversationListResponse = z.infer<typeof conversationListResponse>;
