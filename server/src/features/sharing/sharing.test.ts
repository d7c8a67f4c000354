import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { parseSse } from '../../../test/sse.js';
import { authHeader, buildTestApp, createUser, type TestApp, type TestUser } from '../../../test/test-app.js';

describe.each(testDbKinds())('shared links on %s', (kind) => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    t = await buildTestApp(kind, {
      env: {
        DEMO_TOKEN_DELAY_MS: '0',
        TIER_FREE_REQUESTS_PER_MINUTE: '1000',
        SHARED_LINK_RATE_LIMIT_PER_MINUTE: '1000',
        PUBLIC_URL: 'https://chat.example.com',
      },
    });
    alice = await createUser(t.app);
    bob = await createUser(t.app);
  });
  afterAll(() => t.close());

  const api = (user: TestUser, method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: authHeader(user), ...(payload ? { payload } : {}) });
  const chatIn = async (user: TestUser, content: string, conversationId?: string) => {
    const res = await api(user, 'POST', '/api/chat', { model: 'demo', content, ...(conversationId ? { conversation_id: conversationId } : {}) });
    return parseSse(res.body).parts[0]!.messageMetadata.conversation_id as string;
  };
  const share = async (user: TestUser, id: string) => {
    const res = await api(user, 'PUT', `/api/conversations/${id}/share`);
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json().link as { token: string; url: string; up_to_date: boolean };
  };
  const read = (token: string, ip = '203.0.113.1') => t.app.inject({ method: 'GET', url: `/api/shared/${encodeURIComponent(token)}`, remoteAddress: ip });

  describe('PUT /api/conversations/{id}/share', () => {
    it('makes a link anyone can read without an account, showing the title and messages only', async () => {
      const id = await chatIn(alice, 'How do tides work?');
      const res = await api(alice, 'PUT', `/api/conversations/${id}/share`);
      expect(res.statusCode).toBe(201);
      const { link } = res.json();
      expect(link.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(link.url).toBe(`https://chat.example.com/s/${link.token}`);
      expect(link.up_to_date).toBe(true);

      const shared = await read(link.token);
      expect(shared.statusCode).toBe(200);
      const body = shared.json();
      expect(body.title).toBe('How do tides work?');
      expect(body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
      expect(body.messages[0].content).toBe('How do tides work?');
      expect(Object.keys(body).sort()).toEqual(['created_at', 'messages', 'shared_at', 'title']);
      expect(Object.keys(body.messages[0]).sort()).toEqual(['content', 'created_at', 'role', 'status']);
      // Nothing of the owner: no email, no user id, no conversation id.
      for (const secret of [alice.email, alice.id, id]) expect(shared.body).not.toContain(secret);
    });

    it('shows the branch as it was when shared until the owner updates the link, under the same URL', async () => {
      const id = await chatIn(alice, 'first question');
      const first = await share(alice, id);
      await chatIn(alice, 'second question', id);
      expect((await api(alice, 'GET', `/api/conversations/${id}/share`)).json().link).toMatchObject({ token: first.token, up_to_date: false });
      expect((await read(first.token)).json().messages.map((m: { content: string }) => m.content)[0]).toBe('first question');
      expect((await read(first.token)).json().messages).toHaveLength(2);

      const updated = await api(alice, 'PUT', `/api/conversations/${id}/share`);
      expect(updated.statusCode).toBe(200);
      expect(updated.json().link).toMatchObject({ token: first.token, up_to_date: true });
      const messages = (await read(first.token)).json().messages as { content: string }[];
      expect(messages).toHaveLength(4);
      expect(messages[2]!.content).toBe('second question');
    });

    it('answers 409 for a conversation with no messages yet', async () => {
      const { id } = (await api(alice, 'POST', '/api/conversations', {})).json();
      const res = await api(alice, 'PUT', `/api/conversations/${id}/share`);
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('NOTHING_TO_SHARE');
    });
  });

  describe('GET and DELETE /api/conversations/{id}/share', () => {
    it('says when a conversation is not shared, and a deleted link stops working; sharing again makes a new one', async () => {
      const id = await chatIn(alice, 'to be unshared');
      expect((await api(alice, 'GET', `/api/conversations/${id}/share`)).json()).toEqual({ link: null });
      const link = await share(alice, id);
      expect((await api(alice, 'DELETE', `/api/conversations/${id}/share`)).statusCode).toBe(204);
      expect((await api(alice, 'GET', `/api/conversations/${id}/share`)).json()).toEqual({ link: null });
      const gone = await read(link.token);
      expect(gone.statusCode).toBe(404);
      expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(gone.json().code).toBe('SHARED_LINK_NOT_FOUND');
      // Deleting again is not an error.
      expect((await api(alice, 'DELETE', `/api/conversations/${id}/share`)).statusCode).toBe(204);

      const again = await share(alice, id);
      expect(again.token).not.toBe(link.token);
      expect((await read(again.token)).statusCode).toBe(200);
      expect((await read(link.token)).statusCode).toBe(404);
    });

    it("answers 404 to another user for every verb, and leaves the owner's link as it was", async () => {
      const id = await chatIn(alice, 'private to alice');
      const link = await share(alice, id);
      await chatIn(alice, 'later', id);
      for (const method of ['GET', 'PUT', 'DELETE'] as const) {
        const res = await api(bob, method, `/api/conversations/${id}/share`);
        expect(res.statusCode, method).toBe(404);
        expect(res.json().code).toBe('CONVERSATION_NOT_FOUND');
      }
      expect((await read(link.token)).json().messages).toHaveLength(2);
      expect((await api(alice, 'GET', `/api/conversations/${id}/share`)).json().link).toMatchObject({ token: link.token, up_to_date: false });
    });

    it('needs a login', async () => {
      const id = await chatIn(alice, 'needs login');
      for (const method of ['GET', 'PUT', 'DELETE'] as const) {
        expect((await t.app.inject({ method, url: `/api/conversations/${id}/share` })).statusCode).toBe(401);
      }
    });
  });

  describe('GET /api/shared/{token}', () => {
    it('answers 404, never 500, for unknown tokens and tokens of any shape', async () => {
      for (const token of ['A'.repeat(32), 'A'.repeat(31), 'x'.repeat(33), 'short', "' OR 1=1 --", '../../etc', 'é€😀', '%00', 'A'.repeat(31) + '=']) {
        const res = await read(token);
        expect(res.statusCode, token).toBe(404);
        expect(res.json().code).toBe('SHARED_LINK_NOT_FOUND');
      }
      // Past the router's longest path parameter (100 characters), as on every route: a 4xx problem.
      const long = await read('x'.repeat(2000));
      expect(long.statusCode).toBe(400);
      expect(long.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('keeps the page out of search engines and its URL out of Referer headers, on answers and refusals alike', async () => {
      const link = await share(alice, await chatIn(alice, 'headers'));
      for (const res of [await read(link.token), await read('A'.repeat(32))]) {
        expect(res.headers['x-robots-tag']).toMatch(/noindex/);
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['cache-control']).toBe('no-store');
      }
    });

    it('goes with the conversation, and with the account', async () => {
      const id = await chatIn(alice, 'deleted later');
      const link = await share(alice, id);
      expect((await api(alice, 'DELETE', `/api/conversations/${id}`)).statusCode).toBe(204);
      expect((await read(link.token)).statusCode).toBe(404);

      const carol = await createUser(t.app);
      const carols = await share(carol, await chatIn(carol, 'carol leaves'));
      const deleted = await api(carol, 'DELETE', '/api/auth/account', { password: carol.password });
      expect(deleted.statusCode, deleted.body).toBe(204);
      expect((await read(carols.token)).statusCode).toBe(404);
      const { rows } = await t.db.query('SELECT count(*)::int AS n FROM conversation_shares WHERE token = ANY($1)', [[link.token, carols.token]]);
      expect(rows[0]).toEqual({ n: 0 });
    });
  });
});

describe('GET /api/shared/{token} rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('pglite', { env: { SHARED_LINK_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After past the limit per address, counting unknown tokens too', async () => {
    const read = (ip: string) => t.app.inject({ method: 'GET', url: `/api/shared/${'B'.repeat(32)}`, remoteAddress: ip });
    for (let i = 0; i < 3; i++) expect((await read('198.51.100.7')).statusCode).toBe(404);
    const limited = await read('198.51.100.7');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-robots-tag']).toMatch(/noindex/);
    // Another address has its own count.
    expect((await read('198.51.100.8')).statusCode).toBe(404);
  });
});
