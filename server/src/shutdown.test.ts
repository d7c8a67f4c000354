// A chat reply outlives its connection (docs/decisions/014), so on SIGTERM a reply whose client
// left gets the grace period like one still watched: it runs to its end if it can, and is stopped,
// stored and metered as 'stopped' when the grace is over. Nothing is left reserved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../test/databases.js';
import { readSse } from '../test/sse.js';
import { buildTestApp, createUser, listen, type TestApp, type TestUser } from '../test/test-app.js';
import { shutDownGracefully, trackOpenResponses } from './shutdown.js';

describe.each(testDbKinds())('shutdown with replies nobody watches on %s', (kind) => {
  let t: TestApp;
  let user: TestUser;
  let url: string;
  let responses: ReturnType<typeof trackOpenResponses>;

  beforeAll(async () => {
    t = await buildTestApp(kind, { env: { DEMO_TOKEN_DELAY_MS: '15', TIER_FREE_MONTHLY_TOKENS: '10000000' } });
    responses = trackOpenResponses(t.app.server);
    url = await listen(t.app);
    user = await createUser(t.app);
  });
  afterAll(() => t.database.drop());

  /** Starts a chat, reads it until its first words, then leaves: the reply runs on detached. */
  async function chatThenLeave(content: string): Promise<string> {
    const gone = new AbortController();
    const res = await fetch(`${url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.accessToken}` },
      body: JSON.stringify({ model: 'demo', content }),
      signal: gone.signal,
    });
    expect(res.status).toBe(200);
    let messageId = '';
    for await (const part of readSse(res)) {
      if (part.type === 'start') messageId = part.messageId as string;
      if (part.type === 'text-delta') break;
    }
    gone.abort();
    return messageId;
  }

  it('lets a detached reply finish within the grace period and stops one that cannot, both stored and metered', async () => {
    const short = await chatThenLeave('a short one');
    const long = await chatThenLeave('a long one');
    await new Promise((r) => setTimeout(r, 100));
    expect(responses.count()).toBe(0); // no response waits on them: only the grace keeps them
    await shutDownGracefully(t.app, { graceMs: 3000, responses });

    const stored = await t.db.query<{ id: string; status: string }>('SELECT id, status FROM messages WHERE id = ANY($1)', [[short, long]]);
    expect(Object.fromEntries(stored.rows.map((m) => [m.id, m.status]))).toEqual({ [short]: 'complete', [long]: 'stopped' });
    const records = await t.db.query<{ message_id: string; outcome: string }>('SELECT message_id, outcome FROM usage_records WHERE message_id = ANY($1)', [
      [short, long],
    ]);
    expect(Object.fromEntries(records.rows.map((r) => [r.message_id, r.outcome]))).toEqual({ [short]: 'complete', [long]: 'stopped' });
    expect((await t.db.query('SELECT 1 FROM usage_reservations')).rowCount).toBe(0);
  });
});
