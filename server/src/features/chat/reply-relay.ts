// Replies across server processes, over PostgreSQL LISTEN/NOTIFY on one channel
// (docs/decisions/013-replies-outlive-connections.md). A client that re-attaches on a process
// other than the one generating its reply (the owner) gets the reply through here:
//   watcher -> all:   {t:'w', id}                  "someone here reads reply id": the owner then
//                                                   publishes it from offset 0, and onwards
//   owner   -> all:   {t:'d', id, at, s}           text s at character offset at, batched per tick
//   owner   -> all:   {t:'e', id, len, end}        the end, once stored (len: the final length)
//   anyone  -> all:   {t:'s', id, u}               the user u pressed Stop
// Only replies someone watches from elsewhere are published, once per tick for all of them in one
// statement: the owner's per-piece path does nothing for the relay. Notifications can be lost
// (a listener reconnecting), so a watcher asks again until it hears the owner, and checks the
// stored row now and then: a reply whose owner died ends as the reaper stored it.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../platform/db/db.js';
import type { LiveReplies, LiveReply, ReplyEnd, ReplyFeed, ReplyHeader, ReplyListener } from './live-replies.js';

const CHANNEL = 'chat_replies';
/** NOTIFY payloads must stay under 8,000 bytes: a piece of text longer than this is split. */
const MAX_PIECE_BYTES = 6000;

type RelayMessage =
  | { t: 'w'; id: string }
  | { t: 'd'; id: string; at: number; s: string }
  | { t: 'e'; id: string; len: number; end: ReplyEnd }
  | { t: 's'; id: string; u: string };

/** A stored reply that is no longer streaming: its whole text and its end. */
export interface StoredEnd {
  content: string;
  end: ReplyEnd;
}

export interface ReplyRelayDeps {
  db: Db;
  live: LiveReplies;
  log: FastifyBaseLogger;
  /** How often the owner publishes the watched replies' new text. */
  tickMs?: number;
  /** How often a watcher asks again and checks the stored row. */
  pollMs?: number;
}

interface Watched {
  header: ReplyHeader;
  text: string;
  heard: boolean;
  listeners: Set<ReplyListener>;
  loadEnd: () => Promise<StoredEnd | undefined>;
  poll: NodeJS.Timeout;
}

export function createReplyRelay({ db, live, log, tickMs = 50, pollMs = 2000 }: ReplyRelayDeps) {
  // Only PostgreSQL has other processes to relay to.
  if (db.kind !== 'postgres') return undefined;
  const listen = db.listen.bind(db);
  const self = randomUUID(); // logs only
  /** Replies of this process that others read: how much of each is published. */
  const published = new Map<string, { reply: LiveReply; upTo: number }>();
  /** Replies of other processes that readers here are attached to. */
  const watched = new Map<string, Watched>();
  let timer: NodeJS.Timeout | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  const publish = (messages: RelayMessage[]) => {
    if (!messages.length) return Promise.resolve();
    return db
      .query('SELECT pg_notify($1, m) FROM unnest($2::text[]) AS m', [CHANNEL, messages.map((m) => JSON.stringify(m))])
      .then(() => undefined)
      .catch((err: unknown) => log.warn({ err, relay: self }, 'publishing replies to other processes failed'));
  };

  function textMessages(id: string, text: string, from: number): RelayMessage[] {
    const out: RelayMessage[] = [];
    let at = from;
    while (at < text.length) {
      // Characters are at most 3 UTF-8 bytes (a surrogate pair: 4 for 2), JSON escapes at most 6.
      let s = text.slice(at, at + MAX_PIECE_BYTES / 6);
      if (/[\uD800-\uDBFF]$/.test(s)) s = s.slice(0, -1);
      out.push({ t: 'd', id, at, s });
      at += s.length;
    }
    return out;
  }

  function pendingOf(id: string, entry: { reply: LiveReply; upTo: number }): RelayMessage[] {
    const text = entry.reply.textSoFar();
    const messages = textMessages(id, text, entry.upTo);
    entry.upTo = text.length;
    return messages;
  }

  function tick() {
    const messages: RelayMessage[] = [];
    for (const [id, entry] of published) messages.push(...pendingOf(id, entry));
    void publish(messages);
  }

  function ensureTimer() {
    if (timer || !published.size) return;
    timer = setInterval(tick, tickMs);
    timer.unref();
  }

  /** Called by the registry when one of this process's replies has ended and is stored. */
  function onLocalEnded(reply: LiveReply, end: ReplyEnd) {
    const id = reply.header.assistantMessageId;
    const entry = published.get(id);
    if (!entry) return;
    published.delete(id);
    if (!published.size && timer) {
      clearInterval(timer);
      timer = undefined;
    }
    void publish([...pendingOf(id, entry), { t: 'e', id, len: entry.upTo, end }]);
  }

  function deliver(w: Watched, text: string) {
    if (text.length <= w.text.length) return;
    const piece = text.slice(w.text.length);
    w.text = text;
    for (const l of w.listeners) l.text(piece);
  }

  function finish(id: string, w: Watched, stored: StoredEnd) {
    if (watched.get(id) !== w) return;
    watched.delete(id);
    clearInterval(w.poll);
    if (stored.content.startsWith(w.text)) deliver(w, stored.content);
    for (const l of w.listeners) l.end(stored.end);
  }

  /** Ends the watch from the stored row if the reply is no longer streaming. */
  function checkStored(id: string, w: Watched) {
    w.loadEnd()
      .then((stored) => stored && finish(id, w, stored))
      .catch((err: unknown) => log.warn({ err, messageId: id }, 'checking a watched reply failed'));
  }

  function onMessage(payload: string) {
    let m: RelayMessage;
    try {
      m = JSON.parse(payload) as RelayMessage;
    } catch {
      return;
    }
    if (m.t === 'w') {
      const reply = live.byMessage(m.id);
      if (!reply) return;
      // From the start again: the new watcher has nothing; the others skip what they have.
      published.set(m.id, { reply, upTo: 0 });
      ensureTimer();
    } else if (m.t === 's') {
      const reply = live.byMessage(m.id);
      if (reply?.userId === m.u) reply.stop();
    } else if (m.t === 'd') {
      const w = watched.get(m.id);
      if (!w) return;
      w.heard = true;
      if (m.at > w.text.length)
        w.heard = false; // a gap: ask again, the owner starts from 0
      else deliver(w, w.text.slice(0, m.at) + m.s);
    } else if (m.t === 'e') {
      const w = watched.get(m.id);
      if (!w) return;
      if (w.text.length >= m.len) finish(m.id, w, { content: w.text, end: m.end });
      else checkStored(m.id, w);
    }
  }

  return {
    async start() {
      unlisten = await listen(CHANNEL, {
        onPayload: onMessage,
        onError: (err) => log.warn({ err, relay: self }, 'the replies channel failed; listening again'),
      });
    },

    onLocalEnded,

    /**
     * Attaches to a reply another process generates. `loadEnd` reads the stored row: undefined
     * while it is still streaming.
     */
    watch(header: ReplyHeader, loadEnd: () => Promise<StoredEnd | undefined>): ReplyFeed {
      const id = header.assistantMessageId;
      return {
        header,
        subscribe(listener) {
          let w = watched.get(id);
          if (!w) {
            const created: Watched = {
              header,
              text: '',
              heard: false,
              listeners: new Set(),
              loadEnd,
              poll: setInterval(() => {
                if (!created.heard) void publish([{ t: 'w', id }]);
                checkStored(id, created);
              }, pollMs),
            };
            w = created;
            w.poll.unref();
            watched.set(id, w);
            void publish([{ t: 'w', id }]);
            // Ended between the caller's read and now: nobody would publish its end again.
            checkStored(id, created);
          } else if (w.text) {
            listener.text(w.text);
          }
          const current = w;
          current.listeners.add(listener);
          return () => {
            current.listeners.delete(listener);
            if (current.listeners.size || watched.get(id) !== current) return;
            watched.delete(id);
            clearInterval(current.poll);
          };
        },
      };
    },

    /** Asks the owner, wherever it runs, to stop reply id of user userId. */
    stop: (id: string, userId: string) => publish([{ t: 's', id, u: userId }]),

    async close() {
      if (timer) clearInterval(timer);
      for (const w of watched.values()) clearInterval(w.poll);
      watched.clear();
      await unlisten?.();
    },
  };
}

export type ReplyRelay = NonNullable<ReturnType<typeof createReplyRelay>>;
