// What a chat request does to a conversation, decided before anything is written
// (docs/decisions/018-message-versions.md): send continues the branch shown; regenerate answers the
// last user message of that branch again, as a new version of its reply; edit writes a new version
// of a user message beside the old one, and it is answered. Nothing is replaced or deleted.
import { randomUUID } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import { pathTo, type Tree } from '../conversations/message-tree.js';
import type { StoredMessage } from './history.js';

export interface ExchangeMessage extends StoredMessage {
  id: string;
  parent_id: string | null;
}

export interface ExchangePlan {
  kind: 'send' | 'regenerate' | 'edit';
  /** The user message answered: new for send and edit. */
  userMessageId: string;
  userContent: string;
  /** What a new user message follows: the end of the branch (send), the edited one's parent (edit). */
  parentId: string | null;
  /** The branch before the user message: what the prompt holds. */
  earlier: ExchangeMessage[];
}

/** `branch` is the branch shown, `tree` every message of the conversation. */
export function planExchange(
  body: { action: 'send' | 'regenerate' | 'edit'; content?: string; message_id?: string },
  branch: ExchangeMessage[],
  tree: Tree<ExchangeMessage> | undefined,
): ExchangePlan {
  if (body.action === 'send') {
    return { kind: 'send', userMessageId: randomUUID(), userContent: body.content!, parentId: branch.at(-1)?.id ?? null, earlier: branch };
  }
  if (body.action === 'regenerate') {
    let index = branch.length - 1;
    while (index >= 0 && branch[index]!.role !== 'user') index -= 1;
    if (index < 0) throw new AppError('NOTHING_TO_REGENERATE', 'This conversation has no message of yours to answer; send one first.');
    const user = branch[index]!;
    return { kind: 'regenerate', userMessageId: user.id, userContent: user.content, parentId: user.parent_id, earlier: branch.slice(0, index) };
  }
  // Any version of a message can be edited, shown or not: the new one goes beside it.
  const edited = body.message_id ? tree?.byId.get(body.message_id) : undefined;
  if (!edited) throw new AppError('MESSAGE_NOT_FOUND', `There is no message ${body.message_id} in this conversation.`);
  if (edited.role !== 'user') {
    throw new AppError('VALIDATION_FAILED', 'Only your own messages can be edited; use regenerate for a reply.', {
      issues: [{ location: 'body', path: 'message_id', message: 'not a user message' }],
    });
  }
  return { kind: 'edit', userMessageId: randomUUID(), userContent: body.content!, parentId: edited.parent_id, earlier: pathTo(tree!, edited).slice(0, -1) };
}
