// A cache of database reads that is exact across processes (docs/decisions/023). Every change to
// what it holds bumps a counter in its own transaction (triggers, migrations/015), and each get()
// reads the counter first: a value is served only if it was loaded under the count read now. The
// counter read is shared: requests that arrive while one is under way share the next, so many
// concurrent requests cost one statement.
import type { Queryable } from './db.js';

/** The counts of cache_epochs, each read by a statement that began after it was asked for. */
export interface EpochReader {
  read(): Promise<ReadonlyMap<string, string>>;
}

export function createEpochReader(db: Queryable): EpochReader {
  let inFlight: Promise<ReadonlyMap<string, string>> | undefined;
  let next: Promise<ReadonlyMap<string, string>> | undefined;
  const readNow = async () => {
    const { rows } = await db.query<{ name: string; n: string }>('SELECT name, n::text AS n FROM cache_epochs');
    return new Map(rows.map((r) => [r.name, r.n]));
  };
  function read(): Promise<ReadonlyMap<string, string>> {
    if (!inFlight) {
      const started = readNow().finally(() => {
        if (inFlight === started) inFlight = undefined;
      });
      inFlight = started;
      return started;
    }
    // The read under way may have begun before this request did, and so may miss a change the
    // request's client already saw committed: this request waits for the next one.
    next ??= inFlight
      .catch(() => {})
      .then(() => {
        next = undefined;
        return read();
      });
    return next;
  }
  return { read };
}

export interface EpochCacheOptions {
  /** The cache_epochs row whose count the triggers bump on every change to what is cached. */
  epoch: string;
  /** Entries kept at most; past it the oldest go first. */
  maxEntries: number;
  /** An entry's longest life, a bound on memory only: a change binds at once. 0 turns the cache off. */
  ttlMs: number;
  now: () => number;
}

export interface EpochCache<V> {
  /** The value kept under the current count, or load()'s (kept unless the count moved meanwhile). Undefined is never kept. */
  get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined>;
  /** Replaces a kept value (the caller wrote it itself, in a column no trigger watches); no-op for a key not kept. */
  update(key: string, value: V): void;
  readonly size: number;
}

export function createEpochCache<V>(epochs: EpochReader, options: EpochCacheOptions): EpochCache<V> {
  const entries = new Map<string, { value: V; until: number }>();
  // The count the entries were loaded under; the latest read, as reads resolve in order.
  let current: string | undefined;

  return {
    async get(key, load) {
      if (options.ttlMs <= 0) return load();
      const epoch = (await epochs.read()).get(options.epoch);
      if (epoch === undefined) throw new Error(`cache_epochs has no row '${options.epoch}' (migrations/015)`);
      if (epoch !== current) {
        entries.clear();
        current = epoch;
      }
      const at = options.now();
      const kept = entries.get(key);
      if (kept && kept.until > at) return kept.value;
      if (kept) entries.delete(key);
      // Loaded after the count was read: a change between the two leaves it under an older count,
      // so it is reloaded next time, never served stale.
      const value = await load();
      if (value !== undefined && epoch === current) {
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
  };
}
