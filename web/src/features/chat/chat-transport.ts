// The useChat transport: the AI SDK's DefaultChatTransport, sending only what the server needs
// (the new content and an action, never the whole history: the server holds the conversation),
// through the session's fetch so a 401 refreshes the token once and retries. Errors before the
// stream starts (quota, rate limit, model not allowed) are thrown as ApiError with the server's
// problem details, so the page can show the quota notice rather than a generic message.
import { DefaultChatTransport, type UIMessage } from 'ai';
import { ApiError, problemFromResponse } from '../../lib/problem';
import type { SessionStore } from '../../lib/session';
import type { ChatMessageMetadata, ChatRequestBody } from '../../lib/types';

export type ChatDataTypes = { conversation: { id: string; title: string | null } };
export type ChatUIMessage = UIMessage<ChatMessageMetadata, ChatDataTypes>;

/** What a request needs beyond the messages: given as the body of each sendMessage / regenerate call. */
export interface ChatRequestContext {
  conversationId: string | null;
  model: string;
  /** The team whose pool pays (the Plan picker), or null for the personal plan. */
  teamId?: string | null;
}

export function messageText(message: Pick<ChatUIMessage, 'parts'>): string {
  return message.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/**
 * useChat's triggers mapped onto POST /api/chat: a new message is 'send'; a user message sent
 * again with its id is 'edit' (the server writes a new version of it beside the old one);
 * 'regenerate' answers the conversation's last user message again and names nothing.
 */
export function buildChatBody(
  ctx: ChatRequestContext,
  request: { trigger: 'submit-message' | 'regenerate-message'; messageId: string | undefined; messages: ChatUIMessage[] },
): ChatRequestBody {
  const base: ChatRequestBody = { model: ctx.model, action: 'send' };
  if (ctx.conversationId) base.conversation_id = ctx.conversationId;
  if (ctx.teamId) base.team_id = ctx.teamId;
  if (request.trigger === 'regenerate-message') {
    return { ...base, action: 'regenerate' };
  }
  const last = request.messages.at(-1);
  const content = last ? messageText(last) : '';
  if (request.messageId) return { ...base, action: 'edit', message_id: request.messageId, content };
  return { ...base, action: 'send', content };
}

/**
 * A re-attach (resumeStream) names its conversation in the body, like a send: GET
 * /api/chat/{id}/stream gives the reply in flight from its start, then live; 204 when none. The
 * chat's own id is not it: a chat started on a new page keeps its first key after the conversation
 * gets its id.
 */
export function createChatTransport(session: SessionStore) {
  return new DefaultChatTransport<ChatUIMessage>({
    api: '/api/chat',
    credentials: 'same-origin',
    fetch: async (input, init) => {
      const res = await session.fetch(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, init);
      if (!res.ok) throw await problemFromResponse(res);
      return res;
    },
    prepareSendMessagesRequest: ({ trigger, messageId, messages, body }) => ({
      body: buildChatBody(requestContext(body), { trigger, messageId, messages }),
    }),
    prepareReconnectToStreamRequest: ({ id, body }) => ({ api: replyPath(requestContext(body).conversationId ?? id, 'stream') }),
  });
}

const replyPath = (conversationId: string, what: 'stream' | 'stop') => `/api/chat/${encodeURIComponent(conversationId)}/${what}`;

/**
 * Stop: the server ends the reply where it is and the open stream brings the rest, then the end
 * with the usage, so what is shown is what is stored. The stream is not aborted here.
 */
export async function stopReply(session: SessionStore, conversationId: string): Promise<void> {
  const res = await session.fetch(replyPath(conversationId, 'stop'), { method: 'POST' });
  if (!res.ok) throw await problemFromResponse(res);
}

export const isApiError = (err: unknown): err is ApiError => err instanceof ApiError;

function requestContext(body: object | undefined): ChatRequestContext {
  const { conversationId = null, model = '', teamId = null } = (body ?? {}) as Partial<ChatRequestContext>;
  return { conversationId, model, teamId };
}
