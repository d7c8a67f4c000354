import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { parseSse } from '../../../test/sse.js';
import { authHeader, buildTestApp, createUser, type TestApp, type TestUser } from '../../../test/test-app.js';

describe.each(testDbKinds())('conversations on %s', (kind) => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    // The real meter is wired in: give the free plan room for the many chats these tests make.
    t = await buildTestApp(kind, { env: { DEMO_TOKEN_DELAY_MS: '0', TIER_FREE_REQUESTS_PER_MINUTE: '1000' } });
    alice = await createUser(t.app);
    bob = await createUser(t.app);
  });
  afterAll(() => t.close());

  const api = (user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: authHeader(user), ...(payload ? { payload } : {}) });
  const create = async (user: TestUser, body: object = {}) => (await api(user, 'POST', '/api/conversations', body)).json();
  /** A conversation made through the chat route, so it has a user message and a reply. */
  const chatIn = async (user: TestUser, content: string, conversationId?: string) => {
    const res = await api(user, 'POST', '/api/chat', { model: 'demo', content, ...(conversationId ? { conversation_id: conversationId } : {}) });
    return parseSse(res.body).parts[0]!.messageMetadata.conversation_id as string;
  };

  describe('POST /api/conversations', () => {
    it('creates an empty conversation with the default model of the plan', async () => {
      const res = await api(alice, 'POST', '/api/conversations', { title: '  Trip plans ', system_prompt: 'Be concise.' });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        title: 'Trip plans',
        model: 'demo',
        system_prompt: 'Be concise.',
        pinned: false,
        archived: false,
        last_message_at: null,
      });
      expect(res.json().id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers 404 for an unknown model and 422 for bad input', async () => {
      const unknown = await api(alice, 'POST', '/api/conversations', { model: 'nope' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().code).toBe('MODEL_NOT_FOUND');
      for (const body of [{ title: '' }, { title: 'x'.repeat(201) }, { pinned: 'yes' }, { system_prompt: 'x'.repeat(20_001) }]) {
        expect((await api(alice, 'POST', '/api/conversations', body)).statusCode, JSON.stringify(body).slice(0, 60)).toBe(422);
      }
    });
  });

  describe('GET, PATCH and DELETE /api/conversations/:id', () => {
    it('returns the conversation with its messages in order', async () => {
      const id = await chatIn(alice, 'first');
      await chatIn(alice, 'second', id);
      const res = await api(alice, 'GET', `/api/conversations/${id}`);
      expect(res.statusCode).toBe(200);
      const messages = res.json().messages as { role: string; content: string; status: string }[];
      expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
      expect(messages[0]!.content).toBe('first');
      expect(messages[2]!.content).toBe('second');
      expect(messages.every((m) => m.status === 'complete')).toBe(true);
      expect(res.json().title).toBe('first');
    });

    it('renames, pins, archives, clears the title and changes the system prompt', async () => {
      const { id } = await create(alice, { title: 'Old' });
      const renamed = await api(alice, 'PATCH', `/api/conversations/${id}`, { title: 'New', pinned: true, system_prompt: 'Short answers.' });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toMatchObject({ title: 'New', pinned: true, archived: false, system_prompt: 'Short answers.' });
      const cleared = await api(alice, 'PATCH', `/api/conversations/${id}`, { title: null, system_prompt: null, archived: true });
      expect(cleared.json()).toMatchObject({ title: null, system_prompt: null, pinned: true, archived: true });
      expect((await api(alice, 'PATCH', `/api/conversations/${id}`, {})).statusCode).toBe(422);
      expect((await api(alice, 'PATCH', `/api/conversations/${id}`, { model: 'missing-model' })).statusCode).toBe(404);
    });

    it('deletes a conversation with its messages', async () => {
      const id = await chatIn(alice, 'to be deleted');
      const res = await api(alice, 'DELETE', `/api/conversations/${id}`);
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect((await api(alice, 'GET', `/api/conversations/${id}`)).statusCode).toBe(404);
      const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [id]);
      expect(rows[0]!.n).toBe(0);
    });
  });

  describe('ownership', () => {
    it("answers another user's conversation exactly like a missing one, for every verb", async () => {
      const id = await chatIn(alice, 'private to alice');
      const missing = crypto.randomUUID();
      const requests: ['GET' | 'POST' | 'PATCH' | 'DELETE', (id: string) => string, object?][] = [
        ['GET', (x) => `/api/conversations/${x}`],
        ['PATCH', (x) => `/api/conversations/${x}`, { title: 'hijacked' }],
        ['DELETE', (x) => `/api/conversations/${x}`],
        ['GET', (x) => `/api/conversations/${x}/export?format=markdown`],
      ];
      for (const [method, path, body] of requests) {
        const theirs = await api(bob, method, path(id), body);
        const none = await api(bob, method, path(missing), body);
        expect(theirs.statusCode, `${method} ${path('id')}`).toBe(404);
        const strip = (p: { instance?: string }) => ({ ...p, instance: undefined });
        expect(strip(theirs.json())).toEqual(strip(none.json()));
        expect(theirs.json().code).toBe('CONVERSATION_NOT_FOUND');
      }
      for (const body of [
        { model: 'demo', conversation_id: id, content: 'sneaky' },
        { model: 'demo', conversation_id: id, action: 'regenerate' },
      ]) {
        const res = await api(bob, 'POST', '/api/chat', body);
        expect(res.statusCode).toBe(404);
        expect(res.json().code).toBe('CONVERSATION_NOT_FOUND');
      }
      const after = (await api(alice, 'GET', `/api/conversations/${id}`)).json();
      expect(after.title).toBe('private to alice');
      expect(after.messages).toHaveLength(2);
    });

    it("cannot edit another user's message from one's own conversation", async () => {
      const aliceConversation = await chatIn(alice, 'alice message');
      const aliceMessage = (await api(alice, 'GET', `/api/conversations/${aliceConversation}`)).json().messages[0].id;
      const bobConversation = await chatIn(bob, 'bob message');
      const res = await api(bob, 'POST', '/api/chat', {
        model: 'demo',
        conversation_id: bobConversation,
        action: 'edit',
        message_id: aliceMessage,
        content: 'changed',
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('MESSAGE_NOT_FOUND');
      expect((await api(alice, 'GET', `/api/conversations/${aliceConversation}`)).json().messages[0].content).toBe('alice message');
    });

    it('never lists or finds the conversations of another user', async () => {
      await chatIn(alice, 'zebra-unique-alice-term');
      const list = (await api(bob, 'GET', '/api/conversations?q=zebra-unique')).json();
      expect(list.items).toEqual([]);
      const all = (await api(bob, 'GET', '/api/conversations?limit=100')).json();
      expect(all.items.every((c: { title: string }) => !c.title?.includes('alice'))).toBe(true);
    });

    it('answers a malformed id with 422 or 404 (400 for a NUL), never 500', async () => {
      for (const bad of ['not-a-uuid', '123', "1'%20OR%20'1'='1", 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '%00']) {
        for (const [method, url] of [
          ['GET', `/api/conversations/${bad}`],
          ['PATCH', `/api/conversations/${bad}`],
          ['DELETE', `/api/conversations/${bad}`],
          ['GET', `/api/conversations/${bad}/export`],
        ] as const) {
          const res = await api(alice, method, url, method === 'PATCH' ? { title: 'x' } : undefined);
          // A NUL anywhere in the input is refused before routing reaches the module (platform/http/refuse-nul.ts).
          expect(bad === '%00' ? [400] : [404, 422], `${method} ${url}: ${res.statusCode}`).toContain(res.statusCode);
          expect(res.headers['content-type']).toContain('application/problem+json');
        }
      }
    });
  });

  describe('GET /api/conversations', () => {
    it('pages through every conversation once, pinned first, then most recently active', async () => {
      const carol = await createUser(t.app);
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await create(carol, { title: `conversation ${i}` })).id);
      await chatIn(carol, 'active now', ids[2]); // the most recently active unpinned one
      await api(carol, 'PATCH', `/api/conversations/${ids[5]}`, { pinned: true });
      await api(carol, 'PATCH', `/api/conversations/${ids[6]}`, { archived: true });

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { items: { id: string }[]; next_cursor: string | null } = (
          await api(carol, 'GET', `/api/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        ).json();
        seen.push(...page.items.map((c) => c.id));
        cursor = page.next_cursor;
        pages += 1;
        // Created meanwhile: a newer conversation sorts before the cursor and is not repeated.
        if (pages === 1) await create(carol, { title: 'created while paging' });
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([ids[5], ids[2], ids[4], ids[3], ids[1], ids[0]]);

      const archived = (await api(carol, 'GET', '/api/conversations?archived=true')).json();
      expect(archived.items.map((c: { id: string }) => c.id)).toEqual([ids[6]]);
    });

    it('searches titles and message text, case-insensitively and literally', async () => {
      const dave = await createUser(t.app);
      const byTitle = (await create(dave, { title: 'Quarterly REPORT draft' })).id;
      const byMessage = await chatIn(dave, 'the word is Xylophone');
      const percent = await chatIn(dave, 'growth of 100% this year');
      await create(dave, { title: 'unrelated' });
      const search = async (q: string) =>
        (await api(dave, 'GET', `/api/conversations?q=${encodeURIComponent(q)}`))
          .json()
          .items.map((c: { id: string }) => c.id)
          .sort();
      expect(await search('report')).toEqual([byTitle]);
      expect(await search('XYLOPHONE')).toEqual([byMessage]);
      expect(await search('100%')).toEqual([percent]);
      expect(await search('%')).toEqual([percent]);
      expect(await search('no such words anywhere')).toEqual([]);
    });

    it('answers 422 for a bad cursor or limit', async () => {
      for (const query of ['cursor=garbage', `cursor=${Buffer.from('[1,"x","y"]').toString('base64url')}`, 'limit=0', 'limit=101', 'archived=maybe']) {
        const res = await api(alice, 'GET', `/api/conversations?${query}`);
        expect(res.statusCode, query).toBe(422);
      }
      expect((await api(alice, 'GET', '/api/conversations?cursor=garbage')).json().code).toBe('INVALID_CURSOR');
    });
  });

  describe('GET /api/conversations/:id/export', () => {
    it('exports Markdown with a download filename', async () => {
      const id = await chatIn(alice, 'Export me, please');
      await api(alice, 'PATCH', `/api/conversations/${id}`, { system_prompt: 'Be kind.' });
      const res = await api(alice, 'GET', `/api/conversations/${id}/export?format=markdown`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="export-me-please-${id.slice(0, 8)}.md"`);
      expect(res.body).toMatch(/^# Export me, please\n/);
      expect(res.body).toContain('## System prompt\n\nBe kind.');
      expect(res.body).toContain('## You\n\nExport me, please');
      expect(res.body).toContain('## Assistant (demo)\n\nHello! I am the **demo model**');
    });

    it('exports JSON with the messages', async () => {
      const id = await chatIn(alice, 'json export');
      const res = await api(alice, 'GET', `/api/conversations/${id}/export?format=json`);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['content-disposition']).toContain('.json"');
      const doc = JSON.parse(res.body);
      expect(doc).toMatchObject({ id, title: 'json export' });
      expect(doc.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
      expect(typeof doc.exported_at).toBe('string');
    });
  });

  it("removes a deleted user's conversations and messages", async () => {
    const erin = await createUser(t.app);
    await chatIn(erin, 'soon gone');
    await t.db.query('DELETE FROM users WHERE id = $1', [erin.id]);
    const { rows } = await t.db.query<{ c: number; m: number }>(
      'SELECT (SELECT count(*)::int FROM conversations WHERE user_id = $1) AS c, (SELECT count(*)::int FROM messages WHERE user_id = $1) AS m',
      [erin.id],
    );
    expect(rows[0]).toEqual({ c: 0, m: 0 });
  });
});
