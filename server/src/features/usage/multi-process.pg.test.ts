// Invariants 1 and 2 across processes: one user near the limit fires 120 chat requests at once,
// spread over 3 real server processes sharing one PostgreSQL. Afterwards the month's usage is at
// most the limit, monthly_usage equals the sum of usage_records, no reservation is left, and
// every request either streamed a complete reply or got a 429 problem.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, registerAndLogin } from '../../../test/chat-client.js';
import { testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { expectInvariants } from '../../../test/invariants.js';
import { startSharedCluster, type SharedCluster } from '../../../test/shared-cluster.js';
import type { ServerProcess } from '../../../test/spawn-server.js';

const LIMIT = 20_000;
// The user starts the test this close to the limit: a few long replies use it up.
const REMAINING = 6_000;
const REQUESTS = 120;
// PGlite is one process's database; this proof needs a server that several processes share
// (vitest.config.ts leaves *.pg.test.ts out when there is none).
const kinds = testDbKinds().filter((k) => k === 'postgres');

describe.each(kinds)('metering across 3 server processes on %s', (kind) => {
  let cluster: SharedCluster;
  let database: TestDatabase;
  let servers: ServerProcess[];

  beforeAll(async () => {
    cluster = await startSharedCluster(kind, { TIER_FREE_MONTHLY_TOKENS: String(LIMIT) });
    ({ database, servers } = cluster);
  }, 120_000);

  afterAll(() => cluster?.close());

  it('never spends past the limit, and records every streamed call exactly once', async () => {
    const { token, userId } = await registerAndLogin(servers[0]!.url, `${randomUUID()}@example.com`);
    const month = new Date().toISOString().slice(0, 7);
    const earlier = LIMIT - REMAINING;
    // Earlier use this month, recorded the way settlement records it (record + aggregate).
    await database.db.query(
      `INSERT INTO usage_records (user_id, month, model, provider, input_tokens, output_tokens, total_tokens) VALUES ($1, $2, 'demo', 'demo', $3, 0, $3)`,
      [userId, month, earlier],
    );
    await database.db.query('INSERT INTO monthly_usage (user_id, month, input_tokens, total_tokens, request_count) VALUES ($1, $2, $3, $3, 1)', [
      userId,
      month,
      earlier,
    ]);
    const outcomes = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        chat(servers[i % servers.length]!.url, token, { model: 'demo', content: `question number ${i}: a long answer, please` }),
      ),
    );

    const streamed = outcomes.filter((o) => o.status === 200);
    const refused = outcomes.filter((o) => o.status === 429);
    expect(streamed.length + refused.length).toBe(REQUESTS);
    expect(refused.length).toBeGreaterThan(0); // the limit really was reached
    for (const o of refused) expect(o.problem).toMatchObject({ code: 'QUOTA_EXCEEDED', limit: LIMIT });
    for (const o of streamed) {
      expect(o.parts.at(-1)).toMatchObject({ type: 'finish' });
      expect(o.parts.some((p) => p.type === 'error')).toBe(false);
    }

    const db = database.db;
    // Invariants 1 and 2; one record per call that started, plus the earlier one; nothing reserved.
    const after = await expectInvariants(db, userId, { limit: LIMIT, calls: streamed.length + 1 });
    expect(after.total).toBeGreaterThan(earlier);

    // Every streamed reply is stored complete, as the user saw it.
    const { rows: replies } = await db.query<{ status: string; content: string }>(
      "SELECT status, content FROM messages WHERE user_id = $1 AND role = 'assistant'",
      [userId],
    );
    expect(replies).toHaveLength(streamed.length);
    expect(replies.every((r) => r.status === 'complete')).toBe(true);
    expect(new Set(replies.map((r) => r.content))).toEqual(new Set(streamed.map((o) => o.text)));
    // Then one request at a time, round the processes, until refused: each reservation lowers the
    // output cap to what remains, so the month fills up to the limit and never past it.
    let sequential = 0;
    for (let i = 0; i < 100; i++) {
      const o = await chat(servers[i % servers.length]!.url, token, { model: 'demo', content: `one more, long please (${i})` });
      if (o.status === 429) break;
      expect(o.status).toBe(200);
      sequential += 1;
    }
    expect(sequential).toBeGreaterThan(0);
    const final = await expectInvariants(db, userId, { limit: LIMIT, calls: streamed.length + 1 + sequential });
    expect(final.total).toBeGreaterThan(LIMIT - 200); // used up to the limit, and not past it

    // The three processes all served requests.
    // The request log names each request's route (platform/http/request-log.ts).
    for (const s of servers) expect(s.logs().some((l) => l.route === '/api/chat')).toBe(true);
  }, 180_000);
});
