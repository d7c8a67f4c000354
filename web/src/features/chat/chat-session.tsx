// One conversation's live chat: useChat over the server's UI message stream, the message list,
// the model picker and the composer.
//
// Ids: the server owns message ids. The reply's id comes in the stream's start chunk; the id the
// server gave the user's message comes in its metadata (user_message_id) and replaces the
// client-made one when the reply ends, so that edit and regenerate name real messages. A request
// refused before its stream starts (quota, rate limit...) rolls the list back to how it was and
// puts the text back in the composer.
//
// Versions (docs/decisions/018): after a regenerate or an edit the stored conversation is read
// again, so the new reply or message shows "2/2"; the arrows store the branch chosen (PUT
// .../current) and show what the server answers, which the composer then continues.
import { useChat } from '@ai-sdk/react';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Icon } from '../../components/icon';
import { useApi, useSessionStore } from '../../lib/app-context';
import { ApiError } from '../../lib/problem';
import { queryKeys } from '../../lib/query-keys';
import type { ConversationWithMessages } from '../../lib/types';
import { InstructionsButton } from '../instructions/instructions-dialog';
import { ModelFacts } from '../models/model-facts';
import { ShareButton } from '../sharing/share-dialog';
import { modelsOnPlan, savePlan } from '../teams/plan-choice';
import { PlanPicker, usePlan } from '../teams/plan-picker';
import { showVersion, toUIMessages, useModels } from './chat-api';
import { ChatError } from './chat-error';
import { settle, useStickToBottom } from './chat-helpers';
import { createChatTransport, stopReply, type ChatDataTypes, type ChatRequestContext, type ChatUIMessage } from './chat-transport';
import { Composer } from './composer';
import { draftKey, loadDraft, saveDraft } from './drafts';
import { ExportMenu } from './export-menu';
import { MessageItem } from './message-item';
import { useReplySync } from './use-reply-sync';

export interface ChatSessionProps {
  chatKey: string;
  userId: string;
  conversationId: string | null;
  title: string | null;
  /** A title given in the sidebar after this chat opened. */
  renamedTo?: string | undefined;
  initialMessages: ChatUIMessage[];
  initialModel: string | null;
  onConversationCreated: (id: string) => void;
  onOpenSidebar: () => void;
}

/** Re-render at most this often while a reply streams (the page stays responsive on long replies). */
export const STREAM_THROTTLE_MS = 50;

interface PendingAction {
  kind: 'send' | 'edit' | 'regenerate';
  text: string;
  snapshot: ChatUIMessage[];
}

export function ChatSession(props: ChatSessionProps) {
  const { userId, onConversationCreated } = props;
  const session = useSessionStore();
  const api = useApi();
  const queryClient = useQueryClient();
  const models = useModels();

  const [conversationId, setConversationId] = useState(props.conversationId);
  const [modelChoice, setModelChoice] = useState(props.initialModel);
  // Personal or a team's pool; a team's tier decides its models.
  const plan = usePlan(userId, props.conversationId);
  const { allowed, defaultModel } = modelsOnPlan(models.data, plan.team);
  const model = modelChoice && allowed.some((m) => m.id === modelChoice) ? modelChoice : (defaultModel ?? allowed[0]?.id ?? '');

  const ctx = useRef({ conversationId: props.conversationId, model, teamId: plan.teamId });
  useLayoutEffect(() => {
    ctx.current.model = model;
    ctx.current.teamId = plan.teamId;
  }, [model, plan.teamId]);

  const [input, setInput] = useState(() => loadDraft(draftKey(userId, props.conversationId)));
  const pending = useRef<PendingAction | null>(null);
  const lastError = useRef<Error | null>(null);
  const [title, setTitle] = useState(props.title);

  const adopt = useCallback(
    (id: string) => {
      if (ctx.current.conversationId === id) return;
      ctx.current.conversationId = id;
      savePlan(userId, id, ctx.current.teamId); // the new conversation keeps the plan it started on
      setConversationId(id);
      onConversationCreated(id);
      void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.all });
    },
    [onConversationCreated, queryClient, userId],
  );

  /**
   * A request that failed before its stream began. Usually nothing changed on the server (quota,
   * rate limit): the list goes back to how it was and the text back into the composer. When the
   * server did store the exchange (a provider that refused at once), its copy is shown instead.
   */
  async function recover(action: PendingAction, failure: Error | null) {
    const problem = failure instanceof ApiError ? failure.problem : undefined;
    const known = ctx.current.conversationId ?? (typeof problem?.['conversation_id'] === 'string' ? problem['conversation_id'] : null);
    let stored: ConversationWithMessages | null = null;
    if (known && !(failure instanceof ApiError && failure.status === 401)) {
      stored = await api<ConversationWithMessages>(`/api/conversations/${encodeURIComponent(known)}`).catch(() => null);
    }
    if (stored) {
      adopt(stored.id);
      if (stored.title) setTitle(stored.title);
      chat.setMessages(toUIMessages(stored.messages));
    } else {
      chat.setMessages(action.snapshot);
    }
    const userMessageKept = stored?.messages.some((m) => m.id === problem?.['user_message_id']) ?? false;
    if (action.kind === 'send' && !userMessageKept) {
      setInput((current) => (current.trim() ? current : action.text));
      // Saved at once: after a 401 the session ends and this page unmounts before any effect runs.
      saveDraft(draftKey(userId, ctx.current.conversationId), action.text);
    }
  }

  const transport = useMemo(() => createChatTransport(session), [session]);
  // Stop pressed before the reply's stream began: sent as soon as the server names the conversation.
  const stopWanted = useRef(false);
  /** Stop could not reach the server: the stream was aborted here instead. */
  const abortedByStop = useRef(false);
  const abortHere = () => {
    abortedByStop.current = true;
    void chat.stop();
  };
  const [stopping, setStopping] = useState(false);
  // Each request carries the conversation and model as they are when it is sent.
  const requestOptions = () => ({
    body: { conversationId: ctx.current.conversationId, model: ctx.current.model, teamId: ctx.current.teamId } satisfies ChatRequestContext,
  });

  const chat = useChat<ChatUIMessage>({
    id: props.chatKey,
    messages: props.initialMessages,
    transport,
    experimental_throttle: STREAM_THROTTLE_MS,
    onData: (part) => {
      if (part.type === 'data-conversation') {
        const data = part.data as ChatDataTypes['conversation'];
        adopt(data.id);
        if (stopWanted.current) {
          stopWanted.current = false;
          void stopReply(session, data.id).catch(abortHere);
        }
        if (data.title) setTitle(data.title);
        void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.all });
      }
    },
    onError: (err) => {
      lastError.current = err;
      sync.onError();
    },
    onFinish: ({ message, messages, isAbort, isError, isDisconnect }) => {
      stopWanted.current = false;
      setStopping(false);
      // The reply goes on on the server: it is followed again once the network is back.
      if (sync.lostConnection(isDisconnect)) return;
      // Stop does not abort the stream (the server ends it), so an abort is only that fallback's.
      const stoppedHere = isAbort && abortedByStop.current;
      abortedByStop.current = false;
      if (isAbort && !stoppedHere) return;
      const action = pending.current;
      const failure = isError ? lastError.current : null;
      pending.current = null;
      lastError.current = null;
      const meta = message.metadata;
      if (meta?.conversation_id) adopt(meta.conversation_id);
      const streamed = messages.some((m) => m.id === message.id);

      if (!streamed && action && (isError || isAbort)) {
        // Refused, or stopped before the reply began: show what the server really holds.
        void recover(action, failure);
      } else if (streamed) {
        chat.setMessages((list) => settle(list, message.id, isAbort, failure ? failure.message : undefined));
        // A new version: the stored conversation knows its siblings.
        if (action && action.kind !== 'send') void sync.refresh();
      }
      void queryClient.invalidateQueries({ queryKey: queryKeys.usage.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.all });
    },
  });

  const sync = useReplySync({
    chat,
    api,
    conversationId: useCallback(() => ctx.current.conversationId, []),
    onStored: (stored) => {
      if (stored.title) setTitle(stored.title);
    },
  });

  const { messages, status, error } = chat;
  const busy = status === 'submitted' || status === 'streaming';

  const stop = () => {
    setStopping(true);
    const id = ctx.current.conversationId;
    if (status === 'streaming' && id) void stopReply(session, id).catch(abortHere);
    else stopWanted.current = true;
  };
  const streamingId = status === 'streaming' ? messages.at(-1)?.id : undefined;

  // Escape stops the reply being written, from the message box or anywhere on the page; not from
  // a dialog, a menu or the conversation list, whose own Escape closes them.
  useEffect(() => {
    if (!busy || stopping) return;
    function onKey(e: KeyboardEvent) {
      if (e.key !== 'Escape' || e.shiftKey || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (document.querySelector('dialog[open]') || (e.target instanceof Element && e.target.closest('.sidebar, [role="menu"]'))) return;
      e.preventDefault();
      stop();
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  // Draft: saved on every change, under the conversation it belongs to.
  useEffect(() => {
    saveDraft(draftKey(userId, conversationId), input);
  }, [userId, conversationId, input]);

  const send = useCallback(() => {
    const text = input.trim();
    if (!text || !ctx.current.model) return;
    pending.current = { kind: 'send', text, snapshot: chat.messages };
    setInput('');
    saveDraft(draftKey(userId, ctx.current.conversationId), '');
    void chat.sendMessage({ text }, requestOptions());
  }, [input, chat, userId]);

  const regenerate = useCallback(
    (messageId: string) => {
      pending.current = { kind: 'regenerate', text: '', snapshot: chat.messages };
      void chat.regenerate({ messageId, ...requestOptions() });
    },
    [chat],
  );

  const edit = useCallback(
    (messageId: string, text: string) => {
      pending.current = { kind: 'edit', text, snapshot: chat.messages };
      void chat.sendMessage({ text, messageId }, requestOptions());
    },
    [chat],
  );

  const [versionError, setVersionError] = useState<Error | null>(null);
  const { setMessages } = chat;
  const switchVersion = useCallback(
    (messageId: string) => {
      const id = ctx.current.conversationId;
      if (!id) return;
      setVersionError(null);
      showVersion(api, id, messageId).then(
        (stored) => setMessages(toUIMessages(stored.messages)),
        (err: unknown) => setVersionError(err instanceof Error ? err : new Error('Could not show that version.')),
      );
    },
    [api, setMessages, setVersionError],
  );

  const lastAssistantId = [...messages].reverse().find((m) => m.role === 'assistant')?.id;
  const { ref: scrollRef, onScroll } = useStickToBottom(messages);

  return (
    <section className="chat" aria-label="Conversation">
      <header className="chat-header">
        <button type="button" className="button ghost small icon sidebar-toggle" onClick={props.onOpenSidebar} aria-label="Show conversations">
          <Icon name="menu" />
        </button>
        <h1 className="chat-title">{props.renamedTo ?? title ?? (conversationId ? 'Conversation' : 'New conversation')}</h1>
        <InstructionsButton conversationId={conversationId} model={model} disabled={busy || !model} onCreated={adopt} />
        {conversationId ? <ExportMenu conversationId={conversationId} /> : null}
        {conversationId ? <ShareButton conversationId={conversationId} disabled={messages.length === 0} /> : null}
        <div className="model-picker">
          <label htmlFor="model-select">Model</label>
          <select id="model-select" value={model} onChange={(e) => setModelChoice(e.target.value)} disabled={busy || allowed.length === 0}>
            {allowed.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </div>
        <ModelFacts modelId={model} models={models.data} />
      </header>

      <div className="messages" ref={scrollRef} onScroll={onScroll} role="log" aria-live="polite" aria-busy={busy}>
        {messages.length === 0 ? (
          <div className="empty-chat">
            <h2>What shall we talk about?</h2>
            <p className="muted">Replies stream in as they are written. Your draft is kept if you leave.</p>
          </div>
        ) : (
          messages.map((m, index) => (
            <MessageItem
              // By position, not id: a sent message takes the server's id only once the reply has
              // finished (onFinish runs after the status is ready), and a new key would remount it
              // and drop an edit the user just opened. The list only grows or loses its tail.
              key={index}
              message={m}
              streaming={m.id === streamingId}
              busy={busy || sync.disconnected}
              canRegenerate={m.id === lastAssistantId}
              onRegenerate={regenerate}
              onEdit={edit}
              onShowVersion={switchVersion}
            />
          ))
        )}
        {status === 'submitted' ? (
          <p className="waiting" role="status">
            <span className="typing" aria-hidden="true" /> Waiting for the model…
          </p>
        ) : null}
      </div>

      {sync.disconnected ? (
        <p className="chat-error" role="status">
          <span>The connection was lost. The reply goes on on the server and shows here again once you are back online.</span>
        </p>
      ) : error ? (
        <ChatError error={error} onDismiss={chat.clearError} team={plan.team} />
      ) : versionError ? (
        <ChatError error={versionError} onDismiss={() => setVersionError(null)} />
      ) : null}
      <PlanPicker plan={plan} disabled={busy} onChange={(teamId) => plan.choose(teamId, ctx.current.conversationId)} />
      <Composer value={input} onChange={setInput} onSend={send} onStop={stop} streaming={busy} stopping={stopping} disabled={!model} />
    </section>
  );
}
