// Keeps a chat in step with the server, where replies run whether or not this page reads them:
// - opened (or reloaded) while a reply is being written: re-attach and watch it finish;
// - the connection dropped mid-reply: say so, and re-attach when the network is back, the page is
//   looked at again, or every few seconds meanwhile;
// - back in focus (another tab may have chatted here): fetch the conversation, show it if it
//   changed, and follow its reply if one is being written.
// Re-attaching is useChat's resumeStream over GET /api/chat/{id}/stream (chat-transport.ts).
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Api } from '../../lib/api';
import type { ConversationWithMessages } from '../../lib/types';
import { toUIMessages } from './chat-api';
import type { ChatUIMessage } from './chat-transport';

const RETRY_MS = 3000;

interface SyncedChat {
  status: 'submitted' | 'streaming' | 'ready' | 'error';
  messages: ChatUIMessage[];
  setMessages: (messages: ChatUIMessage[]) => void;
  resumeStream: (options: { body: { conversationId: string } }) => Promise<void>;
  stop: () => Promise<void>;
}

/** A reply still being written as far as this page knows: no final status yet. */
export function isUnsettled(message: ChatUIMessage | undefined): boolean {
  return message?.role === 'assistant' && (message.metadata?.status === undefined || message.metadata.status === 'streaming');
}

const signature = (messages: ChatUIMessage[]) =>
  messages
    .map(
      (m) =>
        `${m.id}:${m.metadata?.status ?? ''}:${m.metadata?.versions?.join(',') ?? ''}:${m.parts.reduce((n, p) => n + (p.type === 'text' ? p.text.length : 0), 0)}`,
    )
    .join('|');

export function useReplySync({
  chat,
  api,
  conversationId,
  onStored,
}: {
  chat: SyncedChat;
  api: Api;
  conversationId: () => string | null;
  /** The conversation as stored, each time it is fetched (its title may have changed). */
  onStored: (stored: ConversationWithMessages) => void;
}) {
  const latest = useRef(chat);
  useLayoutEffect(() => {
    latest.current = chat;
  });
  const [disconnected, setDisconnected] = useState(false);
  /** The page let go of its stream because the browser went offline (it may not notice by itself). */
  const letGo = useRef(false);
  const busy = () => latest.current.status === 'submitted' || latest.current.status === 'streaming';

  const refresh = useRef<(follow: boolean) => Promise<void>>(async () => {});
  // One re-attach at a time: focus and visibilitychange come together, and a second resumeStream
  // would abort the first mid-replay.
  const attaching = useRef(false);
  const failed = useRef(false);
  const reattach = useCallback(async () => {
    const id = conversationId();
    if (!id || busy() || attaching.current) return;
    attaching.current = true;
    failed.current = false;
    try {
      await latest.current.resumeStream({ body: { conversationId: id } });
    } finally {
      attaching.current = false;
    }
    if (failed.current) return; // still offline: the next retry tries again
    setDisconnected(false);
    await new Promise((resolve) => window.setTimeout(resolve, 0)); // the chat's last state rendered
    // Nothing was in flight any more (it ended meanwhile, or its process stopped): show what is stored.
    if (!busy() && isUnsettled(latest.current.messages.at(-1))) await refresh.current(false);
  }, [conversationId]);

  const refreshing = useRef(false);
  const refreshNow = async (follow: boolean) => {
    const id = conversationId();
    if (!id || refreshing.current) return;
    refreshing.current = true;
    const stored = await api<ConversationWithMessages>(`/api/conversations/${encodeURIComponent(id)}`)
      .catch(() => null)
      .finally(() => (refreshing.current = false));
    if (!stored || busy() || attaching.current) return;
    onStored(stored);
    const next = toUIMessages(stored.messages);
    if (signature(next) !== signature(latest.current.messages)) latest.current.setMessages(next);
    if (follow && stored.messages.at(-1)?.status === 'streaming') await reattach();
  };
  useLayoutEffect(() => {
    refresh.current = refreshNow;
  });

  // Opened while a reply is being written (a reload, a link): follow it.
  useEffect(() => {
    if (isUnsettled(latest.current.messages.at(-1))) void reattach();
  }, [reattach]);

  useEffect(() => {
    const onLookedAt = () => {
      if (document.visibilityState === 'hidden') return;
      if (disconnected) void reattach();
      else if (!busy()) void refresh.current(true);
    };
    const onOnline = () => void reattach();
    // A stream already open may stay silent instead of failing when the network goes: let go of
    // it at once and follow the reply again when back.
    const onOffline = () => {
      // Only a reply that has begun: a request still on its way fails by itself (and is recovered).
      if (latest.current.status !== 'streaming') return;
      letGo.current = true;
      setDisconnected(true);
      void latest.current.stop();
    };
    window.addEventListener('focus', onLookedAt);
    window.addEventListener('offline', onOffline);
    document.addEventListener('visibilitychange', onLookedAt);
    window.addEventListener('online', onOnline);
    const retry = disconnected ? window.setInterval(() => navigator.onLine !== false && void reattach(), RETRY_MS) : undefined;
    return () => {
      window.removeEventListener('focus', onLookedAt);
      document.removeEventListener('visibilitychange', onLookedAt);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      window.clearInterval(retry);
    };
  }, [disconnected, reattach]);

  return {
    disconnected,
    /** Shows the conversation as stored (after a new version: its siblings), unless a reply runs. */
    refresh: () => refresh.current(false),
    /** For onError: a re-attach that failed (still offline) is tried again later. */
    onError() {
      if (attaching.current) failed.current = true;
    },
    /** For onFinish: whether the stream ended because the connection went, not by its end or Stop. */
    lostConnection(isDisconnect: boolean): boolean {
      const lost = isDisconnect || letGo.current;
      letGo.current = false;
      if (lost) setDisconnected(true);
      return lost;
    },
  };
}
