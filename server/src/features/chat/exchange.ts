// What a chat request does to a conversation, decided before anything is written:
// send appends a user message; regenerate answers the last user message again, replacing the
// replies after it; edit replaces a user message's text and drops everything after it
// (docs/decisions/004-edit-and-regenerate-replace.md).
import { randomUUID } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import type { StoredMessage } from './history.js';

export interface ExchangeMessage extends StoredMessage {
  id: string;
}

export interface ExchangePlan {
  kind: 'send' | 'regenerate' | 'edit';
  userMessageId: string;
  userContent: string;
  /** The messages that stay before the user message. */
  earlier: ExchangeMessage[];
}

export function planExchange(
  body: { action: 'send' | 'regenerate' | 'edit'; content?: string; message_id?: string },
  messages: ExchangeMessage[],
): ExchangePlan {
  if (body.action === 'send') {
    return { kind: 'send', userMessageId: randomUUID(), userContent: body.content!, earlier: messages };
  }
  if (body.action === 'regenerate') {
    let index = messages.length - 1;
    while (index >= 0 && messages[index]!.role !== 'user') index -= 1;
    if (index < 0) throw new AppError('NOTHING_TO_REGENERATE', 'This conversation has no message of yours to answer; send one first.');
    const user = messages[index]!;
    return { kind: 'regenerate', userMessageId: user.id, userContent: user.content, earlier: messages.slice(0, index) };
  }
  const index = messages.findIndex((m) => m.id === body.message_id);
  if (index < 0) throw new AppError('MESSAGE_NOT_FOUND', `There is no message ${body.message_id} in this conversation.`);
  if (messages[index]!.role !== 'user') {
    throw new AppError('VALIDATION_FAILED', 'Only your own messages can be edited; use regenerate for a reply.', {
      issues: [{ location: 'body', path: 'message_id', message: 'not a user message' }],
    });
  }
  return { kind: 'edit', userMessageId: body.message_id!, userContent: body.content!, earlier: messages.slice(0, index) };
}
