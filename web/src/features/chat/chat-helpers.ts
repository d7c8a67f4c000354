// Pieces of the chat session that need no React state of their own.
import { useLayoutEffect, useRef } from 'react';
import { problemFromResponse } from '../../lib/problem';
import type { SessionStore } from '../../lib/session';
import type { ChatUIMessage } from './chat-transport';

export type ExportFormat = 'markdown' | 'json';

/** Downloads the conversation (through the session: the export needs the token). */
export async function exportConversation(session: SessionStore, id: string, format: ExportFormat): Promise<void> {
  const res = await session.fetch(`/api/conversations/${encodeURIComponent(id)}/export?format=${format}`);
  if (!res.ok) throw await problemFromResponse(res);
  const fallback = format === 'json' ? 'conversation.json' : 'conversation.md';
  const name = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallback;
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** After a reply ends: the server's id for the user's message, and the reply's final status. */
export function settle(list: ChatUIMessage[], replyId: string, isAbort: boolean, errorText: string | undefined): ChatUIMessage[] {
  const index = list.findIndex((m) => m.id === replyId);
  if (index === -1) return list;
  const reply = list[index]!;
  const meta = reply.metadata ?? {};
  const out = list.slice();
  const userIndex = index - 1;
  const user = out[userIndex];
  if (meta.user_message_id && user?.role === 'user' && user.id !== meta.user_message_id) {
    out[userIndex] = { ...user, id: meta.user_message_id };
  }
  let status = meta.status;
  if (isAbort) status = 'stopped';
  else if (errorText !== undefined || !status) status = errorText !== undefined ? 'failed' : 'complete';
  if (status !== meta.status || (errorText && !meta.error)) {
    out[index] = { ...reply, metadata: { ...meta, status, ...(errorText && !meta.error ? { error: errorText } : {}) } };
  }
  return out;
}

/** Keeps the newest message in view while it grows, unless the reader has scrolled up. */
export function useStickToBottom(messages: ChatUIMessage[]) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages]);
  const onScroll = () => {
    const el = ref.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  };
  return { ref, onScroll };
}
