// The cache the API-key check keeps (notified-cache.ts): emptied by the triggers' NOTIFY as the
// changing statement commits, never keeping a read that a change overtook, serving nothing while
// it cannot hear changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { createNotifiedCache, type NotifiedCache } from './notified-cache.js';
import { openPostgres } from './postgres.js';

const CHANNEL = 'auth_changed';

async function until(check: () => boolean | Promise<boolean>, what: string) {
  // A bound for delivery between processes, not a speed check: it normally takes well under 10 ms.
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe.each(testDbKinds())('a notified cache on %s', (kind) => {
  let database: TestDatabase;
  let cache: NotifiedCache<string>;
  let clock = 0;
  let userId: string;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    cache = createNotifiedCache<string>(database.db, { channel: CHANNEL, maxEntries: 3, ttlMs: 60_000, now: () => clock });
    await cache.ready;
    const { rows } = await database.db.query<{ id: string }>("INSERT INTO users (email, password_hash) VALUES ('cache@example.com', 'h') RETURNING id");
    userId = rows[0]!.id;
  });
  afterAll(async () => {
    await cache.close();
    await database.drop();
  });

  const tierOf = async () => (await database.db.query<{ tier: string }>('SELECT tier FROM users WHERE id = $1', [userId])).rows[0]!.tier;
  let loads = 0;
  const load = () => {
    loads++;
    return tierOf();
  };

  it('serves what it loaded, and forgets it as soon as a statement of its own process changes it', async () => {
    expect(await cache.get(userId, load)).toBe('free');
    const before = loads;
    expect(await cache.get(userId, load)).toBe('free');
    expect(loads).toBe(before);
    await database.db.query("UPDATE users SET tier = 'starter' WHERE id = $1", [userId]);
    // No wait: the notification came back before the UPDATE's promise resolved.
    expect(cache.size).toBe(0);
    expect(await cache.get(userId, load)).toBe('starter');
    expect(loads).toBe(before + 1);
  });

  it('forgets on a change made in a transaction once it commits', async () => {
    await cache.get(userId, load);
    await database.db.transaction(async (tx) => {
      await tx.query("UPDATE users SET tier = 'builder' WHERE id = $1", [userId]);
    });
    expect(cache.size).toBe(0);
    expect(await cache.get(userId, load)).toBe('builder');
  });

  it('does not keep a read that a change overtook while it loaded', async () => {
    await database.db.query('UPDATE users SET is_active = true WHERE id = $1', [userId]); // empties it
    const stale = await cache.get(userId, async () => {
      const tier = await tierOf();
      await database.db.query("UPDATE users SET tier = 'advanced' WHERE id = $1", [userId]);
      return tier;
    });
    expect(stale).toBe('builder');
    expect(cache.size).toBe(0);
    expect(await cache.get(userId, load)).toBe('advanced');
  });

  it('keeps nothing undefined, nothing past its life, and at most maxEntries', async () => {
    await database.db.query('UPDATE users SET is_active = true WHERE id = $1', [userId]);
    expect(await cache.get('missing', async () => undefined)).toBeUndefined();
    expect(cache.size).toBe(0);
    for (const k of ['a', 'b', 'c', 'd']) await cache.get(k, async () => k);
    expect(cache.size).toBe(3);
    expect(await cache.get('a', async () => 'a again')).toBe('a again'); // the oldest went first
    clock += 60_001;
    expect(await cache.get('d', async () => 'd again')).toBe('d again');
  });

  it('ignores writes that the triggers leave out (a key used: last_used_at)', async () => {
    const { rows } = await database.db.query<{ id: string }>(
      "INSERT INTO api_keys (user_id, name, prefix, key_hash) VALUES ($1, 'k', 'qc_x', 'hash-of-k') RETURNING id",
      [userId],
    );
    await database.db.query('UPDATE users SET is_active = true WHERE id = $1', [userId]); // empties it
    await cache.get('kept', async () => 'kept');
    await database.db.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [rows[0]!.id]);
    expect(cache.size).toBe(1);
    await database.db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [rows[0]!.id]);
    expect(cache.size).toBe(0);
  });
});

describe.runIf(testDbKinds().includes('postgres'))('a notified cache on PostgreSQL, beside another process', () => {
  let database: TestDatabase;
  let cache: NotifiedCache<string>;
  let userId: string;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    cache = createNotifiedCache<string>(database.db, { channel: CHANNEL, maxEntries: 100, ttlMs: 60_000, now: () => 0 });
    await cache.ready;
    const { rows } = await database.db.query<{ id: string }>("INSERT INTO users (email, password_hash) VALUES ('other@example.com', 'h') RETURNING id");
    userId = rows[0]!.id;
  });
  afterAll(async () => {
    await cache.close();
    await database.drop();
  });

  it("forgets on another process's change", async () => {
    const other = await openPostgres(database.url!, { size: 1, timeoutMs: 5000 });
    try {
      await cache.get(userId, async () => 'free');
      await other.query("UPDATE users SET tier = 'starter' WHERE id = $1", [userId]);
      await until(() => cache.size === 0, 'the change is heard');
    } finally {
      await other.close();
    }
  });

  it('serves nothing while its listening connection is down, and again once it listens', async () => {
    await cache.get('k', async () => 'v');
    expect(cache.size).toBe(1);
    // Cut every listening connection but our own query's (the pooled ones recover on their next use).
    await database.db.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'",
    );
    await until(() => cache.size === 0, 'the loss is noticed');
    let loads = 0;
    const load = async () => {
      loads++;
      return 'v';
    };
    await cache.get('k', load);
    await until(async () => {
      const before = loads;
      await cache.get('k', load);
      return loads === before;
    }, 'it listens again and serves');
  });
});
