// A cache of database reads that empties itself whenever a NOTIFY arrives on its channel (sent by
// triggers on the tables it reads: migrations/013). It serves only while it hears the channel: when
// the listening connection is down, notifications may be lost, so it neither serves nor keeps
// anything until it listens again. docs/decisions/023-cached-key-checks.md
import type { Db } from './db.js';

export interface NotifiedCacheOptions {
  channel: string;
  /** Entries kept at most; past it the oldest go first. */
  maxEntries: number;
  /** An entry's longest life, a backstop only: a change empties the cache as it commits. 0 turns the cache off. */
  ttlMs: number;
  now: () => number;
  onError?: (err: Error) => void;
}

export interface NotifiedCache<V> {
  /** The cached value, or load()'s, kept unless a change arrived while it loaded. Undefined is never kept. */
  get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined>;
  /** Replaces a kept value (the caller wrote it itself); no-op for a key not kept. */
  update(key: string, value: V): void;
  readonly size: number;
  /** Resolves once it listens (it serves nothing before), or once listening failed (onError told why). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export function createNotifiedCache<V>(db: Db, options: NotifiedCacheOptions): NotifiedCache<V> {
  const entries = new Map<string, { value: V; until: number }>();
  // Bumped by every change, so that a load that began before it is not kept after it.
  let generation = 0;
  let live = false;
  const forget = () => {
    generation++;
    entries.clear();
  };
  // On PostgreSQL one change is heard on every connection that listens; only its first copy
  // empties the cache (a later one would throw away what was read after the change).
  const heard = new Set<string>();
  const onPayload = (payload: string) => {
    if (heard.has(payload)) return;
    heard.add(payload);
    if (heard.size > 1000) heard.delete(heard.values().next().value!);
    forget();
  };
  let closed = false;
  const listening =
    options.ttlMs > 0
      ? db.listen(options.channel, {
          ownWrites: true,
          onPayload,
          onLive(now) {
            forget();
            live = now && !closed;
          },
          onError: options.onError,
        })
      : Promise.resolve(async () => {});
  let stopListening: (() => Promise<void>) | undefined;
  void listening.then((stop) => (stopListening = stop)).catch(() => {});
  // Not listening, it stays empty: every read goes to the database, as without a cache.
  const ready = listening.then(
    () => undefined,
    (err: unknown) => options.onError?.(err as Error),
  );

  return {
    async get(key, load) {
      const at = options.now();
      const kept = live ? entries.get(key) : undefined;
      if (kept && kept.until > at) return kept.value;
      if (kept) entries.delete(key);
      const started = generation;
      const value = await load();
      if (value !== undefined && live && started === generation) {
        entries.set(key, { value, until: at + options.ttlMs });
        if (entries.size > options.maxEntries) entries.delete(entries.keys().next().value!);
      }
      return value;
    },
    update(key, value) {
      const kept = entries.get(key);
      if (kept) kept.value = value;
    },
    get size() {
      return entries.size;
    },
    ready,
    async close() {
      closed = true;
      live = false;
      forget();
      // A listen still pending (the database not answering) is stopped once it answers, unawaited.
      if (!stopListening) return void listening.then((stop) => stop()).catch(() => {});
      await stopListening();
    },
  };
}
