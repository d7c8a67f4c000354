// Metering seen through POST /api/chat with the real usage service: what a call records, what a
// refused call answers (and that it stores nothing), and that deleting a conversation leaves
// recorded usage alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { expectInvariants } from '../../../test/invariants.js';
import { parseSse } from '../../../test/sse.js';
import { authHeader, buildTestApp, createUser, type TestApp, type TestUser } from '../../../test/test-app.js';
import { promptReservation } from './usage.service.js';

describe.each(testDbKinds())('chat metering on %s', (kind) => {
  let t: TestApp;
  const clock = new Date('2026-11-20T10:00:00Z');
  beforeAll(async () => {
    t = await buildTestApp(kind, { now: () => clock, env: { TIER_FREE_MONTHLY_TOKENS: '5000', TIER_FREE_REQUESTS_PER_MINUTE: '5' } });
  });
  afterAll(() => t.close());

  const chat = (user: TestUser, content: string) =>
    t.app.inject({ method: 'POST', url: '/api/chat', headers: authHeader(user), payload: { model: 'demo', content } });
  const countRows = async (table: string, userId: string) =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [userId])).rows[0]!.n;

  it('records one usage row per call with the usage the stream reported, cost, ids and outcome', async () => {
    const user = await createUser(t.app);
    const res = await chat(user, 'hello');
    expect(res.statusCode).toBe(200);
    const { parts } = parseSse(res.body);
    const start = parts.find((p) => p.type === 'start')!;
    const usage = parts.find((p) => p.type === 'message-metadata')!.messageMetadata.usage;
    const { rows } = await t.db.query(
      'SELECT conversation_id, message_id, provider, model, input_tokens, output_tokens, total_tokens, usage_source, outcome, month FROM usage_records WHERE user_id = $1',
      [user.id],
    );
    expect(rows).toEqual([
      {
        conversation_id: start.messageMetadata.conversation_id,
        message_id: start.messageId,
        provider: 'demo',
        model: 'demo',
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        total_tokens: usage.total_tokens,
        usage_source: 'provider',
        outcome: 'complete',
        month: '2026-11',
      },
    ]);
    await expectInvariants(t.db, user.id, { calls: 1 });
  });

  it("says in the 429 that the user's own cap ran out (level personal_cap) when it is below the tier's", async () => {
    const user = await createUser(t.app);
    await t.app.inject({ method: 'PUT', url: '/api/usage/cap', headers: authHeader(user), payload: { monthly_token_cap: 5 } });
    const res = await chat(user, 'are you there?');
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ code: 'QUOTA_EXCEEDED', limit: 5, level: 'personal_cap', used: 0, remaining: 5 });
    expect(res.json().detail).toContain('your own monthly cap of 5 tokens');
  });

  it('refuses a call that does not fit with 429 QUOTA_EXCEEDED, the numbers, and stores nothing', async () => {
    const user = await createUser(t.app);
    await t.db.query('INSERT INTO monthly_usage (user_id, month, total_tokens, request_count) VALUES ($1, $2, 4990, 1)', [user.id, '2026-11']);
    await t.db.query("INSERT INTO usage_records (user_id, month, model, input_tokens, total_tokens) VALUES ($1, '2026-11', 'demo', 4990, 4990)", [user.id]);
    const res = await chat(user, 'are you there?');
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      limit: 5000,
      level: 'tier',
      used: 4990,
      reserved: 0,
      remaining: 10,
      resets_at: '2026-12-01T00:00:00.000Z',
    });
    expect(Number(res.headers['retry-after'])).toBe((Date.parse('2026-12-01T00:00:00Z') - clock.getTime()) / 1000);
    expect(await countRows('conversations', user.id)).toBe(0);
    expect(await countRows('messages', user.id)).toBe(0);
    await expectInvariants(t.db, user.id, { calls: 1 });
  });

  it('clamps the reply to what remains of a personal cap', async () => {
    const user = await createUser(t.app);
    await t.app.inject({ method: 'PUT', url: '/api/usage/cap', headers: authHeader(user), payload: { monthly_token_cap: 200 } });
    const res = await chat(user, 'a long answer please');
    expect(res.statusCode).toBe(200);
    const { parts } = parseSse(res.body);
    expect(parts.find((p) => p.type === 'finish')).toMatchObject({ finishReason: 'length' });
    await expectInvariants(t.db, user.id, { calls: 1, limit: 200 });
    // The output cap given to the model was what remained after the prompt's reservation.
    const { rows } = await t.db.query<{ input_tokens: number; output_tokens: number }>(
      'SELECT input_tokens, output_tokens FROM usage_records WHERE user_id = $1',
      [user.id],
    );
    expect(rows[0]!.output_tokens).toBeGreaterThan(0);
    expect(rows[0]!.output_tokens).toBeLessThanOrEqual(200 - promptReservation(rows[0]!.input_tokens));
  });

  it('keeps recorded usage when the conversation is deleted', async () => {
    const user = await createUser(t.app);
    const res = await chat(user, 'remember this');
    const conversationId = parseSse(res.body).parts.find((p) => p.type === 'start')!.messageMetadata.conversation_id;
    const before = await expectInvariants(t.db, user.id, { calls: 1 });
    const del = await t.app.inject({ method: 'DELETE', url: `/api/conversations/${conversationId}`, headers: authHeader(user) });
    expect(del.statusCode).toBe(204);
    const after = await expectInvariants(t.db, user.id, { calls: 1 });
    expect(after).toEqual(before);
    const usage = await t.app.inject({ method: 'GET', url: '/api/usage', headers: authHeader(user) });
    expect(usage.json().used).toBe(before.total);
  });

  it('refuses calls past the tier requests-per-minute limit with 429 RATE_LIMITED and Retry-After', async () => {
    const user = await createUser(t.app);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await chat(user, `hi ${i}`)).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    const res = await chat(user, 'again');
    expect(res.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    await expectInvariants(t.db, user.id, { calls: 5 });
  });
});
