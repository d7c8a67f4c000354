// Overload: far more concurrent streams than one process's capacity (MAX_CONCURRENT_STREAMS, see
// server/src/lib/model-calls/admission.ts). Every request either streams its whole reply or is
// refused with 503 and Retry-After before anything is reserved or stored (problem+json under /api,
// OpenAI's shape under /v1); no 500, no stream cut midway, and the invariants hold afterwards.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeUpstreamEnv } from '../../src/features/chat/chat.test-support.js';
import { registerAndLogin } from '../../test/chat-client.js';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../test/databases.js';
import { startFakeUpstream, type FakeUpstream } from '../../test/fake-upstream.js';
import { expectInvariants } from '../../test/invariants.js';
import { startServer, stopAllProcesses, tempDir } from '../../test/spawn-server.js';
import { call, parsedEvents, type CallResult } from './client.js';
import type { Slot } from './cluster.js';
import { createLedger } from './ledger.js';

const CAPACITY = 4;
const STREAMS = 64;

describe.each(testDbKinds().filter((k) => k === 'postgres'))('overload of one server process (%s)', (kind) => {
  let database: TestDatabase;
  let upstream: FakeUpstream;
  let slot: Slot;
  const dir = tempDir('qc-overload-');

  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
    upstream = await startFakeUpstream({ text: Array.from({ length: 30 }, (_, i) => `piece${i}`).join(' '), tokenDelayMs: 15 });
    const server = await startServer({
      cwd: dir.path,
      env: {
        DATABASE_URL: database.url!,
        DATA_DIR: dir.path,
        JWT_SECRET: 'a-secret-for-the-overloaded-server-process!',
        ...fakeUpstreamEnv(upstream),
        MAX_CONCURRENT_STREAMS: String(CAPACITY),
        STREAM_QUEUE_TIMEOUT_MS: '1000',
        TIER_STARTER_REQUESTS_PER_MINUTE: '100000',
        AUTH_RATE_LIMIT_PER_IP: '1000',
      },
    });
    slot = { index: 0, server, generation: 1 };
  }, 120_000);

  afterAll(async () => {
    await stopAllProcesses();
    await upstream?.close();
    await database?.drop();
    dir.remove();
  });

  it('completes or refuses every stream with 503 and Retry-After before storing anything', async () => {
    const users = await Promise.all(
      [1, 2].map(async () => {
        const { token, userId } = await registerAndLogin(slot.server!.url, `${randomUUID()}@overload.example`);
        await database.db.query("UPDATE users SET tier = 'starter' WHERE id = $1", [userId]);
        const res = await fetch(`${slot.server!.url}/api/keys`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'overload' }),
        });
        return { token, userId, key: ((await res.json()) as { key: string }).key };
      }),
    );
    const ledger = createLedger();
    const results: { user: (typeof users)[number]; web: boolean; r: CallResult }[] = await Promise.all(
      Array.from({ length: STREAMS }, async (_, i) => {
        const user = users[i % 2]!;
        const web = i % 4 < 2;
        const r = await call({
          ledger,
          slot,
          kind: web ? 'chat' : 'v1-stream',
          method: 'POST',
          path: web ? '/api/chat' : '/v1/chat/completions',
          token: web ? user.token : user.key,
          body: web
            ? { model: 'gpt-4o-mini', content: `question ${i}` }
            : { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: `question ${i}` }] },
        });
        return { user, web, r };
      }),
    );

    expect(ledger.problems).toEqual([]); // no 500, every error in its shape, no stream cut
    const done = results.filter((x) => x.r.status === 200);
    const refused = results.filter((x) => x.r.status === 503);
    console.log(`[overload] ${STREAMS} streams against a capacity of ${CAPACITY}: ${done.length} completed, ${refused.length} refused with 503`);
    expect(done.length + refused.length, JSON.stringify(ledger.statuses)).toBe(STREAMS);
    expect(done.length).toBeGreaterThanOrEqual(CAPACITY);
    expect(refused.length).toBeGreaterThan(0); // the capacity really was exceeded
    for (const { r, web } of done) {
      const events = parsedEvents(r.events);
      if (web) expect(events.at(-1)).toMatchObject({ type: 'finish' });
      else expect(events.at(-1)).toMatchObject({ usage: { completion_tokens: 30 } });
    }
    for (const { r, web } of refused) {
      expect(r.retryAfter).toBe('1');
      expect(r.json).toMatchObject(web ? { code: 'SERVER_BUSY', status: 503 } : { error: { code: 'server_busy', type: 'server_error' } });
    }
    for (const user of users) {
      const mine = done.filter((x) => x.user === user);
      await expectInvariants(database.db, user.userId, { calls: mine.length });
      // A refused chat stored nothing: one conversation, one question and one complete reply per stream that ran.
      const { rows } = await database.db.query<{ conversations: number; replies: number; complete: number }>(
        `SELECT (SELECT count(*)::int FROM conversations WHERE user_id = $1) AS conversations,
                count(*) FILTER (WHERE role = 'assistant')::int AS replies,
                count(*) FILTER (WHERE role = 'assistant' AND status = 'complete')::int AS complete
         FROM messages WHERE user_id = $1`,
        [user.userId],
      );
      const chats = mine.filter((x) => x.web).length;
      expect(rows[0]).toEqual({ conversations: chats, replies: chats, complete: chats });
    }
  });
});
