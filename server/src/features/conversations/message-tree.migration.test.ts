// The migration to message trees: conversations written before it become one branch each, shown
// whole; rolling it back keeps the branch shown and drops the versions off it.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { migrateDown, migrateUp } from '../../platform/db/migrate.js';

const TREE_VERSION = Number(
  readdirSync(fileURLToPath(new URL('../../../migrations/', import.meta.url)))
    .find((f) => /^\d+\.do\.message-tree\.sql$/.test(f))!
    .split('.')[0],
);

describe.each(testDbKinds())('the message-tree migration on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
    await migrateUp(database.db, String(TREE_VERSION - 1));
  });
  afterAll(() => database.drop());

  const q = async <T>(sql: string, params: unknown[] = []) => (await database.db.query<T & Record<string, unknown>>(sql, params)).rows;

  it('makes each conversation one branch in the order written, shown to its last message, and rolls back to the branch shown', async () => {
    const [user] = await q<{ id: string }>(`INSERT INTO users (email, password_hash) VALUES ('old@example.com', 'x') RETURNING id`);
    const conversations: string[] = [];
    for (const title of ['first', 'second', 'empty']) {
      const [c] = await q<{ id: string }>(`INSERT INTO conversations (user_id, title, model) VALUES ($1, $2, 'demo') RETURNING id`, [user!.id, title]);
      conversations.push(c!.id);
    }
    const written: string[][] = [[], [], []];
    for (let n = 0; n < 4; n++) {
      for (const i of [0, 1]) {
        const [m] = await q<{ id: string }>(`INSERT INTO messages (conversation_id, user_id, role, content) VALUES ($1, $2, $3, $4) RETURNING id`, [
          conversations[i],
          user!.id,
          n % 2 ? 'assistant' : 'user',
          `${i}-${n}`,
        ]);
        written[i]!.push(m!.id);
      }
    }

    await migrateUp(database.db, String(TREE_VERSION));
    for (const i of [0, 1]) {
      const rows = await q<{ id: string; parent_id: string | null }>('SELECT id, parent_id FROM messages WHERE conversation_id = $1 ORDER BY seq', [
        conversations[i],
      ]);
      expect(rows.map((r) => r.parent_id)).toEqual([null, ...written[i]!.slice(0, -1)]);
    }
    const leaves = await q<{ current_leaf_id: string | null }>('SELECT current_leaf_id FROM conversations WHERE id = ANY($1) ORDER BY title', [conversations]);
    expect(leaves.map((r) => r.current_leaf_id)).toEqual([null, written[0]!.at(-1), written[1]!.at(-1)]);

    // A second version of the last reply of the first conversation, shown; the first version is off the branch.
    const [version] = await q<{ id: string }>(
      `INSERT INTO messages (conversation_id, user_id, parent_id, role, content) VALUES ($1, $2, $3, 'assistant', 'again') RETURNING id`,
      [conversations[0], user!.id, written[0]![2]],
    );
    await q('UPDATE conversations SET current_leaf_id = $2 WHERE id = $1', [conversations[0], version!.id]);

    await migrateDown(database.db, TREE_VERSION - 1);
    const kept = await q<{ content: string }>('SELECT content FROM messages WHERE conversation_id = $1 ORDER BY seq', [conversations[0]]);
    expect(kept.map((r) => r.content)).toEqual(['0-0', '0-1', '0-2', 'again']);
    expect(await q('SELECT id FROM messages WHERE conversation_id = $1', [conversations[1]])).toHaveLength(4);
    await migrateUp(database.db);
  });
});
