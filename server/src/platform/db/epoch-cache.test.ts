// The cache the key and session checks keep (epoch-cache.ts): the triggers of migrations/015 bump a
// count in every transaction that changes what it holds, and it serves only what it loaded under
// the count read for this very request, by a read that began after the request did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import type { Queryable, QueryResult } from './db.js';
import { createEpochCache, createEpochReader, type EpochCache } from './epoch-cache.js';

/** A stand-in database whose reads of the counts answer only when told to. */
function heldCounts() {
  const pending: { resolve: (r: QueryResult<unknown>) => void; asked: Map<string, string> }[] = [];
  const counts = new Map([['auth', '0']]);
  const db: Queryable = {
    query: <T>() =>
      new Promise<QueryResult<T>>((resolve) => {
        // The snapshot is taken as the statement starts, as on the server.
        pending.push({ resolve: resolve as (r: QueryResult<unknown>) => void, asked: new Map(counts) });
      }),
  };
  const answerNext = async () => {
    const p = pending.shift()!;
    p.resolve({ rows: [...p.asked].map(([name, n]) => ({ name, n })), rowCount: p.asked.size });
    await new Promise((r) => setImmediate(r));
  };
  return { db, counts, pending, answerNext };
}

describe('the shared read of the counts', () => {
  it('serves the requests that arrive while a read is under way with one next read, begun after them', async () => {
    const { db, counts, pending, answerNext } = heldCounts();
    const reader = createEpochReader(db);
    const first = reader.read();
    expect(pending).toHaveLength(1);
    counts.set('auth', '1'); // a change commits while the first read is under way
    const later = [reader.read(), reader.read(), reader.read()];
    expect(pending).toHaveLength(1); // they wait: the read under way began before them
    await answerNext();
    expect((await first).get('auth')).toBe('0');
    expect(pending).toHaveLength(1); // one read for the three
    await answerNext();
    for (const r of await Promise.all(later)) expect(r.get('auth')).toBe('1');
    expect(pending).toHaveLength(0);
  });

  it('starts a new read for a request that arrives when none is under way', async () => {
    const { db, pending, answerNext } = heldCounts();
    const reader = createEpochReader(db);
    const a = reader.read();
    await answerNext();
    await a;
    void reader.read();
    expect(pending).toHaveLength(1);
  });

  it('fails the requests of a failed read, and reads again for the next', async () => {
    let fail = true;
    const db: Queryable = {
      query: async <T>() => {
        if (fail) throw new Error('connection lost');
        return { rows: [{ name: 'auth', n: '3' }] as T[], rowCount: 1 };
      },
    };
    const reader = createEpochReader(db);
    await expect(reader.read()).rejects.toThrow('connection lost');
    fail = false;
    expect((await reader.read()).get('auth')).toBe('3');
  });
});

describe.each(testDbKinds())('a cache checked against the counts on %s', (kind) => {
  let database: TestDatabase;
  let cache: EpochCache<string>;
  let clock = 0;
  let userId: string;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    cache = createEpochCache<string>(createEpochReader(database.db), { epoch: 'auth', maxEntries: 3, ttlMs: 60_000, now: () => clock });
    const { rows } = await database.db.query<{ id: string }>("INSERT INTO users (email, password_hash) VALUES ('cache@example.com', 'h') RETURNING id");
    userId = rows[0]!.id;
  });
  afterAll(() => database.drop());

  const tierOf = async () => (await database.db.query<{ tier: string }>('SELECT tier FROM users WHERE id = $1', [userId])).rows[0]!.tier;
  const counts = async () =>
    Object.fromEntries((await database.db.query<{ name: string; n: string }>('SELECT name, n::text AS n FROM cache_epochs')).rows.map((r) => [r.name, r.n]));
  let loads = 0;
  const load = () => {
    loads++;
    return tierOf();
  };

  it('serves what it loaded, and loads again once a change has committed', async () => {
    expect(await cache.get(userId, load)).toBe('free');
    const before = loads;
    expect(await cache.get(userId, load)).toBe('free');
    expect(loads).toBe(before);
    await database.db.query("UPDATE users SET tier = 'starter' WHERE id = $1", [userId]);
    expect(await cache.get(userId, load)).toBe('starter');
    expect(loads).toBe(before + 1);
  });

  it('serves the old value while a change is uncommitted, and the new one once it commits', async () => {
    await cache.get(userId, load);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const changing = database.db.transaction(async (tx) => {
      await tx.query("UPDATE users SET tier = 'builder' WHERE id = $1", [userId]);
      await held;
    });
    try {
      // PGlite runs one transaction at a time: a read waits for it, so only PostgreSQL can look in.
      if (kind === 'postgres') expect(await cache.get(userId, load)).toBe('starter');
    } finally {
      release();
      await changing;
    }
    expect(await cache.get(userId, load)).toBe('builder');
  });

  it('bumps a count once per transaction, however many rows it changes', async () => {
    const before = await counts();
    await database.db.transaction(async (tx) => {
      await tx.query("UPDATE users SET tier = 'advanced' WHERE id = $1", [userId]);
      await tx.query("UPDATE users SET tier = 'builder' WHERE id = $1", [userId]);
    });
    const after = await counts();
    expect(BigInt(after['auth']!) - BigInt(before['auth']!)).toBe(1n);
    expect(BigInt(after['sessions']!) - BigInt(before['sessions']!)).toBe(1n);
  });

  it('does not serve a load that a change overtook: the next request reads again', async () => {
    await cache.get('other', async () => 'x');
    const before = loads;
    const overtaken = await cache.get(userId + ':new', async () => {
      loads++;
      await database.db.query("UPDATE users SET tier = 'starter' WHERE id = $1", [userId]);
      return 'read before the change';
    });
    expect(overtaken).toBe('read before the change');
    expect(await cache.get(userId + ':new', load)).toBe('starter');
    expect(loads).toBe(before + 2);
  });

  it('ignores what no trigger watches: a key used, a new account, an unrelated table', async () => {
    const before = await counts();
    await database.db.query("INSERT INTO api_keys (user_id, name, prefix, key_hash) VALUES ($1, 'k', 'qc_12345678', 'epoch-h')", [userId]);
    await database.db.query("UPDATE api_keys SET last_used_at = now() WHERE key_hash = 'epoch-h'");
    await database.db.query("INSERT INTO users (email, password_hash) VALUES ('cache-2@example.com', 'h')");
    expect(await counts()).toEqual(before);
    await database.db.query("UPDATE api_keys SET revoked_at = now() WHERE key_hash = 'epoch-h'");
    const after = await counts();
    expect(after['auth']).not.toBe(before['auth']);
    expect(after['sessions']).toBe(before['sessions']);
  });

  it('keeps at most maxEntries, and none past its life', async () => {
    for (const k of ['a', 'b', 'c', 'd']) await cache.get(k, async () => k);
    expect(cache.size).toBe(3);
    const before = loads;
    clock += 60_001;
    await cache.get(userId, load);
    expect(loads).toBe(before + 1);
  });

  it('reads nothing of the counts when its life is 0 (turned off)', async () => {
    const off = createEpochCache<string>(createEpochReader(database.db), { epoch: 'auth', maxEntries: 3, ttlMs: 0, now: () => clock });
    let reads = 0;
    expect(
      await off.get('k', async () => {
        reads++;
        return 'v';
      }),
    ).toBe('v');
    await off.get('k', async () => (reads++, 'v'));
    expect(reads).toBe(2);
    expect(off.size).toBe(0);
  });
});
