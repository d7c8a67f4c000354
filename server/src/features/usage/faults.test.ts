// Invariants 1-3 under faults, with the real metering: the upstream dies mid-stream, the client
// disconnects, the server process is SIGKILLed mid-stream and restarted, PostgreSQL restarts
// during a stream. After each: one usage record per call, the month equals its records, nothing
// stays reserved, and the stored reply matches what the user saw.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndLogin } from '../../../test/chat-client.js';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { startFakeUpstream, type FakeUpstream } from '../../../test/fake-upstream.js';
import { expectInvariants } from '../../../test/invariants.js';
import { startPrivatePostgres, type PrivatePostgres } from '../../../test/private-postgres.js';
import { startServer, stopAllProcesses, tempDir } from '../../../test/spawn-server.js';
import { readSse, type SsePart } from '../../../test/sse.js';
import { authHeader, buildTestApp, createUser, listen, TEST_JWT_SECRET, testConfig, type TestApp, type TestUser } from '../../../test/test-app.js';
import { buildApp } from '../../app.js';
import { countTextTokens } from '../../lib/model-calls/tokenizer.js';
import { migrateUp } from '../../platform/db/migrate.js';
import { openPostgres } from '../../platform/db/postgres.js';
import { fakeUpstreamEnv, waitFor } from '../chat/chat.test-support.js';

const LONG_TEXT = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');

/**
 * Streams a chat reply over real HTTP. After `after` text deltas it runs `then` (default: abort the
 * request, as a closed browser tab does) and reads on until the stream ends or breaks.
 */
async function streamChat(url: string, headers: Record<string, string>, body: object, at?: { after: number; then?: () => Promise<unknown> }) {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const parts: SsePart[] = [];
  let fired = false;
  try {
    for await (const part of readSse(res)) {
      parts.push(part);
      if (at && !fired && parts.filter((p) => p.type === 'text-delta').length >= at.after) {
        fired = true;
        await (at.then ? at.then() : controller.abort());
      }
    }
  } catch (err) {
    // Aborted by us, or the connection broke because the server died.
    if (!fired) throw err;
  }
  const seen = parts
    .filter((p) => p.type === 'text-delta')
    .map((p) => p.delta as string)
    .join('');
  return { parts, seen, messageId: parts[0]!.messageId as string };
}

async function finalRow(db: TestDatabase['db'], id: string) {
  return waitFor(async () => {
    const { rows } = await db.query<{ status: string; content: string; error: string | null }>('SELECT status, content, error FROM messages WHERE id = $1', [
      id,
    ]);
    return rows[0] && rows[0].status !== 'streaming' ? rows[0] : undefined;
  }, 20_000);
}

describe.each(testDbKinds())('metering under faults on %s', (kind) => {
  let t: TestApp;
  let upstream: FakeUpstream;
  let user: TestUser;
  let url: string;
  beforeAll(async () => {
    upstream = await startFakeUpstream({ text: LONG_TEXT, tokenDelayMs: 5 });
    t = await buildTestApp(kind, { env: { ...fakeUpstreamEnv(upstream), TIER_FREE_REQUESTS_PER_MINUTE: '1000' } });
    url = await listen(t.app);
    user = await createUser(t.app);
    await t.db.query("UPDATE users SET tier = 'starter' WHERE id = $1", [user.id]);
  });
  afterAll(async () => {
    await t.close();
    await upstream.close();
  });

  it('records a call whose upstream dies mid-stream once, as failed, with the text the user saw', async () => {
    upstream.reset({ text: LONG_TEXT, tokenDelayMs: 5, failAfterTokens: 20 });
    const { parts, seen, messageId } = await streamChat(url, authHeader(user), { model: 'gpt-4o-mini', content: 'tell me everything' });
    expect(parts.some((p) => p.type === 'error')).toBe(true);
    const row = await finalRow(t.db, messageId);
    expect(row).toMatchObject({ status: 'failed', content: seen });
    const { rows } = await t.db.query<{ outcome: string; usage_source: string; output_tokens: number }>(
      'SELECT outcome, usage_source, output_tokens FROM usage_records WHERE message_id = $1',
      [messageId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: 'failed', usage_source: 'estimate' });
    expect(rows[0]!.output_tokens).toBeGreaterThan(0);
    await expectInvariants(t.db, user.id);
  });

  it('keeps a near-limit user inside the limit when the upstream breaks off at the output cap and our tokenizer counts the text higher', async () => {
    // Each word is one token to the upstream and several to o200k: an estimate by our count alone
    // would charge more than the model was allowed to produce.
    const text = Array.from({ length: 400 }, () => 'upstream.').join(' ');
    const capped = async () => {
      const u = await createUser(t.app);
      await t.db.query("UPDATE users SET tier = 'starter' WHERE id = $1", [u.id]);
      const res = await t.app.inject({ method: 'PUT', url: '/api/usage/cap', headers: authHeader(u), payload: { monthly_token_cap: 300 } });
      expect(res.statusCode).toBe(200);
      return u;
    };
    // A first user's call tells the output cap such a call gets.
    upstream.reset({ text });
    await streamChat(url, authHeader(await capped()), { model: 'gpt-4o-mini', content: 'say it' });
    const outputCap = upstream.requests[0]!.body.max_completion_tokens ?? upstream.requests[0]!.body.max_tokens;
    expect(outputCap).toBeGreaterThan(10);
    const near = await capped();
    upstream.reset({ text, failAfterTokens: outputCap as number });
    const { messageId } = await streamChat(url, authHeader(near), { model: 'gpt-4o-mini', content: 'say it' });
    const row = await finalRow(t.db, messageId);
    expect(row.status).toBe('failed');
    const { rows } = await t.db.query<{ usage_source: string; output_tokens: number }>(
      'SELECT usage_source, output_tokens FROM usage_records WHERE message_id = $1',
      [messageId],
    );
    expect(rows).toEqual([{ usage_source: 'estimate', output_tokens: outputCap }]);
    await expectInvariants(t.db, near.id, { calls: 1, limit: 300 });
  });

  it('records a call whose client disconnects once: the reply runs to its end, stored and metered once (decision 014)', async () => {
    upstream.reset({ text: LONG_TEXT, tokenDelayMs: 5 });
    const { seen, messageId } = await streamChat(url, authHeader(user), { model: 'gpt-4o-mini', content: 'and more' }, { after: 5 });
    const row = await finalRow(t.db, messageId);
    expect(row.status).toBe('complete');
    expect(row.content.startsWith(seen)).toBe(true);
    expect(row.content).toBe(LONG_TEXT);
    const { rows } = await t.db.query<{ outcome: string }>('SELECT outcome FROM usage_records WHERE message_id = $1', [messageId]);
    expect(rows).toEqual([{ outcome: 'complete' }]);
    await expectInvariants(t.db, user.id);
  });
});

// Killing a server process and restarting PostgreSQL need real processes and a server of our own.
const pgKinds = testDbKinds().filter((k) => k === 'postgres');
if (pgKinds.length === 0) console.log('crash and database-restart fault tests not run: they need PostgreSQL (PGHOST or TEST_DATABASE_URL)');

describe.each(pgKinds)('metering when processes die on %s', (kind) => {
  let database: TestDatabase;
  const dir = tempDir();
  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
  });
  afterAll(async () => {
    await stopAllProcesses();
    await database.drop();
    dir.remove();
  });

  it('frees the reservation of a server killed with SIGKILL mid-stream once it restarts (reaper)', async () => {
    const env = {
      DATABASE_URL: database.url!,
      DATA_DIR: dir.path,
      JWT_SECRET: 'a-secret-shared-by-both-server-lives!!!!',
      DEMO_TOKEN_DELAY_MS: '40',
      RESERVATION_TTL_SECONDS: '10',
      REAPER_INTERVAL_SECONDS: '1',
    };
    const first = await startServer({ env, cwd: dir.path });
    const { token, userId } = await registerAndLogin(first.url, `${randomUUID()}@example.com`);
    const headers = { authorization: `Bearer ${token}` };
    // The process dies with the reply half written: no settle, no final status.
    const stream = await streamChat(first.url, headers, { model: 'demo', content: 'a long answer please' }, { after: 40, then: () => first.kill('SIGKILL') });
    expect(stream.parts.some((p) => p.type === 'finish')).toBe(false);
    const before = await database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_reservations WHERE user_id = $1', [userId]);
    expect(before.rows[0]!.n).toBe(1);

    await startServer({ env, cwd: dir.path });
    const row = await finalRow(database.db, stream.messageId);
    expect(row.status).toBe('failed');
    // Stored: the reply as checkpointed before the crash, all of which the user saw.
    expect(row.content.length).toBeGreaterThan(0);
    expect(stream.seen.startsWith(row.content)).toBe(true);
    const state = await expectInvariants(database.db, userId, { calls: 1 });
    expect(state.total).toBeGreaterThan(0);
    const { rows } = await database.db.query<{ outcome: string; usage_source: string; output_tokens: number }>(
      'SELECT outcome, usage_source, output_tokens FROM usage_records WHERE user_id = $1',
      [userId],
    );
    expect(rows).toEqual([{ outcome: 'failed', usage_source: 'estimate', output_tokens: countTextTokens(row.content) }]);
  }, 60_000);
});

describe.each(pgKinds)('metering when PostgreSQL restarts during a stream (%s)', () => {
  let pg: PrivatePostgres;
  let t: Awaited<ReturnType<typeof buildApp>>;
  let db: Awaited<ReturnType<typeof openPostgres>>;
  beforeAll(async () => {
    pg = await startPrivatePostgres();
    db = await openPostgres(pg.url, { size: 5, timeoutMs: 5000 });
    await migrateUp(db);
    t = await buildApp(testConfig({ DEMO_TOKEN_DELAY_MS: '20' }), { db, jwtSecret: TEST_JWT_SECRET, webDist: false });
    await t.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await db?.close();
    pg?.stop();
    pg?.remove();
  });

  it('finishes the reply, stores it and records its usage once after the database comes back', async () => {
    const url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    const user = await createUser(t);
    const reading = streamChat(url, authHeader(user), { model: 'demo', content: 'a long answer please' });
    // Restart while the reply streams (the demo writes for several seconds at this pace).
    await new Promise((r) => setTimeout(r, 500));
    pg.restart();
    const { parts, seen, messageId } = await reading;
    expect(parts.at(-1)).toMatchObject({ type: 'finish' });
    const row = await finalRow(db, messageId);
    expect(row).toMatchObject({ status: 'complete', content: seen });
    await expectInvariants(db, user.id, { calls: 1 });
  }, 60_000);
});
