// The replies this process is generating, apart from the connections that asked for them: a reply
// runs to its end (or to an explicit Stop) whoever reads it, and any number of readers attach to
// it, the request that started it first, then a reload, a reconnect or a second tab. Each piece
// is handed to the readers in memory; nothing per piece touches the database.
//
// The registry is also the replies' lifecycle: `settled()` resolves once every reply in flight is
// stored and metered, `stopAll()` stops them (shutdown), `size` says how many run.
import type { ModelCall } from '../../lib/model-calls/model-call.js';

export interface ReplyEnd {
  status: 'complete' | 'stopped' | 'failed';
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  finishReason: 'stop' | 'length' | 'other';
  /** Safe text for the error part of a failed reply. */
  errorText?: string;
}

/** What a reader needs to open a reply's UI message stream. */
export interface ReplyHeader {
  assistantMessageId: string;
  userMessageId: string;
  conversation: { id: string; title: string | null };
  model: string;
}

export interface ReplyListener {
  text(piece: string): void;
  end(end: ReplyEnd): void;
}

/** A reply that readers can attach to: the text so far as one piece, then each piece, then the end. */
export interface ReplyFeed {
  header: ReplyHeader;
  /** Returns the function that detaches the listener. */
  subscribe(listener: ReplyListener): () => void;
}

export interface LiveReply extends ReplyFeed {
  userId: string;
  textSoFar(): string;
  /** The user's Stop: the upstream request is aborted, the reply ends 'stopped' with its text so far. */
  stop(): void;
  /** Resolves once the reply is stored and metered. */
  ended: Promise<ReplyEnd>;
}

export function createLiveReplies({ onEnded }: { onEnded?: (reply: LiveReply, end: ReplyEnd) => void } = {}) {
  const byMessage = new Map<string, LiveReply>();
  const byConversation = new Map<string, LiveReply>();

  return {
    /** Registers a started call; it leaves the registry once its end is stored. */
    run(input: { header: ReplyHeader; userId: string; call: Pick<ModelCall, 'read' | 'textSoFar'>; end: Promise<ReplyEnd>; stop: () => void }): LiveReply {
      const listeners = new Set<ReplyListener>();
      let ended: ReplyEnd | undefined;
      const reply: LiveReply = {
        header: input.header,
        userId: input.userId,
        textSoFar: input.call.textSoFar,
        stop: input.stop,
        ended: input.end,
        subscribe(listener) {
          const sofar = input.call.textSoFar();
          if (sofar) listener.text(sofar);
          if (ended) {
            listener.end(ended);
            return () => {};
          }
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      };
      const { assistantMessageId: id, conversation } = input.header;
      byMessage.set(id, reply);
      byConversation.set(conversation.id, reply);
      // Set before any piece can arrive: the call hands over what it already has, then each piece.
      input.call.read((piece) => {
        for (const listener of listeners) listener.text(piece);
      });
      void input.end.then((end) => {
        ended = end;
        byMessage.delete(id);
        if (byConversation.get(conversation.id) === reply) byConversation.delete(conversation.id);
        for (const listener of listeners) listener.end(end);
        listeners.clear();
        onEnded?.(reply, end);
      });
      return reply;
    },

    byMessage: (id: string) => byMessage.get(id),

    /** The reply in flight in a conversation of this user, if this process runs it. */
    inConversation({ conversationId, userId }: { conversationId: string; userId: string }): LiveReply | undefined {
      const reply = byConversation.get(conversationId);
      return reply?.userId === userId ? reply : undefined;
    },

    all: () => byMessage.values(),

    get size() {
      return byMessage.size;
    },

    /** Resolves once every reply in flight now is stored and metered. */
    async settled(): Promise<void> {
      await Promise.all([...byMessage.values()].map((r) => r.ended));
    },

    /** Stops every reply in flight and waits until they are stored (shutdown past its grace). */
    async stopAll(): Promise<void> {
      const replies = [...byMessage.values()];
      for (const r of replies) r.stop();
      await Promise.all(replies.map((r) => r.ended));
    },
  };
}

export type LiveReplies = ReturnType<typeof createLiveReplies>;
