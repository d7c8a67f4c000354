import { z } from 'zod';

const MAX_MESSAGE_CHARS = 100_000;

export const chatBody = z
  .object({
    conversation_id: z.guid('Use a conversation id (a UUID).').optional(),
    model: z.string().min(1).max(128),
    action: z.enum(['send', 'regenerate', 'edit']).default('send'),
    content: z.string().max(MAX_MESSAGE_CHARS, `Use at most ${MAX_MESSAGE_CHARS} characters.`).optional(),
    message_id: z.guid('Use a message id (a UUID).').optional(),
    /** Charge this call to a team you belong to (its pool, your cap in it) instead of your own plan. */
    team_id: z.guid('Use a team id (a UUID).').optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const hasText = b.content !== undefined && b.content.trim() !== '';
    if (b.action === 'send') {
      if (!hasText) issue('content', 'Write a message to send.');
      if (b.message_id) issue('message_id', 'Only "edit" takes a message_id.');
    }
    if (b.action === 'regenerate') {
      if (!b.conversation_id) issue('conversation_id', 'Say which conversation to regenerate in.');
      if (b.content !== undefined) issue('content', '"regenerate" answers the last message again and takes no content; use "edit" to change it.');
      if (b.message_id) issue('message_id', 'Only "edit" takes a message_id.');
    }
    if (b.action === 'edit') {
      if (!b.conversation_id) issue('conversation_id', 'Say which conversation the message is in.');
      if (!b.message_id) issue('message_id', 'Say which of your messages to edit.');
      if (!hasText) issue('content', 'Write the new text of the message.');
    }
  });
export type ChatBody = z.infer<typeof chatBody>;

export const replyParams = z.object({ conversation_id: z.guid('Use a conversation id (a UUID).') });
