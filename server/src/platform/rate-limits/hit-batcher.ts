// Hits on the PostgreSQL counters, batched: the hits that arrive while a batch is being counted
// (and in the same turn of the event loop) are counted together in the next, one statement for all.
// Under load each model call then costs a fraction of a statement instead of one round trip of its
// own (issue 9); alone, a hit waits for nothing. Every hit still gets a count of its own, exactly
// as one statement each would give: a key's n hits in a batch get its count minus n-1 ... its count.
import type { Queryable } from '../db/db.js';
import { incrementRateLimitCounters } from './rate-limits.repository.js';

interface Pending {
  key: string;
  windowStart: Date;
  resolve(hits: number): void;
  reject(err: unknown): void;
}

export function createHitBatcher(db: Queryable) {
  let queue: Pending[] = [];
  let counting = false;
  let scheduled = false;

  async function countBatch() {
    // One window per key per batch: a hit in another window than the key's first waits for the next.
    const byKey = new Map<string, { windowStart: Date; hits: Pending[] }>();
    const later: Pending[] = [];
    for (const hit of queue) {
      const group = byKey.get(hit.key);
      if (!group) byKey.set(hit.key, { windowStart: hit.windowStart, hits: [hit] });
      else if (group.windowStart.getTime() === hit.windowStart.getTime()) group.hits.push(hit);
      else later.push(hit);
    }
    queue = later;
    try {
      const counts = await incrementRateLimitCounters(
        db,
        [...byKey].map(([key, g]) => ({ key, windowStart: g.windowStart, count: g.hits.length })),
      );
      for (const [key, g] of byKey) {
        const total = counts.get(key)!;
        g.hits.forEach((hit, i) => hit.resolve(total - g.hits.length + 1 + i));
      }
    } catch (err) {
      for (const g of byKey.values()) for (const hit of g.hits) hit.reject(err);
    }
  }

  async function drain() {
    scheduled = false;
    if (counting) return;
    counting = true;
    try {
      while (queue.length) await countBatch();
    } finally {
      counting = false;
    }
  }

  return {
    /** The key's count in its window after this hit. */
    hit(key: string, windowStart: Date): Promise<number> {
      return new Promise((resolve, reject) => {
        queue.push({ key, windowStart, resolve, reject });
        if (!scheduled && !counting) {
          scheduled = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
