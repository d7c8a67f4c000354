// U+0000 in any text input is refused with 400 NUL_IN_TEXT naming the field, before a schema or a
// service runs: PostgreSQL's text cannot hold it, and it used to fail the query with a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { authHeader, buildTestApp, createApiKey, createUser, type TestApp, type TestUser } from '../../../test/test-app.js';
import { findNul } from './refuse-nul.js';

describe('findNul', () => {
  it('names where the first NUL is, in strings, keys and items', () => {
    expect(findNul('a\u0000')).toBe('');
    expect(findNul({ a: { b: ['x', 'y\u0000'] } })).toBe('a.b.1');
    expect(findNul({ 'k\u0000': 1 })).toBe('k\u0000');
    expect(findNul({ a: 'fine', n: 1, t: true, z: null })).toBeUndefined();
  });

  it('walks a body nested deeper than the stack', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findNul(deep)).toBe(`${'0.'.repeat(199_999)}0`);
  });
});

describe.each(testDbKinds())('text inputs with NUL on %s', (kind) => {
  let t: TestApp;
  let user: TestUser;
  let conversationId: string;
  let apiKey: string;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    user = await createUser(t.app);
    conversationId = (await t.app.inject({ method: 'POST', url: '/api/conversations', headers: authHeader(user), payload: { title: 'kept' } })).json().id;
    apiKey = (await createApiKey(t.app, user)).key;
  });
  afterAll(() => t.close());

  const cases = [
    ['POST', '/api/auth/login', { email: 'a\u0000@x.com', password: 'whatever pw' }, 'body.email'],
    ['POST', '/api/chat', { model: 'demo', content: 'hi\u0000' }, 'body.content'],
    ['POST', '/api/conversations', { title: 'a\u0000' }, 'body.title'],
    ['POST', '/api/conversations', { system_prompt: 'a\u0000' }, 'body.system_prompt'],
    ['PATCH', '/api/conversations/:id', { title: 'a\u0000' }, 'body.title'],
    ['PATCH', '/api/conversations/:id', { system_prompt: 'a\u0000' }, 'body.system_prompt'],
    ['POST', '/api/keys', { name: 'a\u0000' }, 'body.name'],
    ['GET', '/api/conversations?q=a%00b', undefined, 'query.q'],
    ['GET', '/api/conversations/a%00b', undefined, 'params.id'],
  ] as const;

  it.each(cases)('%s %s answers 400 NUL_IN_TEXT naming %s, and stores nothing', async (method, url, payload, field) => {
    const before = (
      await t.db.query<{ n: number }>('SELECT (SELECT count(*) FROM conversations) + (SELECT count(*) FROM messages) + (SELECT count(*) FROM api_keys) AS n')
    ).rows[0];
    const res = await t.app.inject({ method, url: url.replace(':id', conversationId), headers: authHeader(user), ...(payload && { payload }) });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'NUL_IN_TEXT', status: 400, type: 'https://quota-chat.dev/problems/nul-in-text' });
    expect(res.json().detail).toContain(field);
    const after = (
      await t.db.query<{ n: number }>('SELECT (SELECT count(*) FROM conversations) + (SELECT count(*) FROM messages) + (SELECT count(*) FROM api_keys) AS n')
    ).rows[0];
    expect(after).toEqual(before);
    const kept = await t.app.inject({ method: 'GET', url: `/api/conversations/${conversationId}`, headers: authHeader(user) });
    expect(kept.json()).toMatchObject({ title: 'kept', system_prompt: null });
  });

  it('refuses the OAuth2 login form with a NUL', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=a%00b&password=whatever',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'NUL_IN_TEXT', detail: expect.stringContaining('body.username') });
  });

  it("answers /v1 in OpenAI's shape, naming the field as param", async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${apiKey}` },
      payload: { model: 'demo', messages: [{ role: 'user', content: 'a\u0000' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { message: expect.stringContaining('body.messages.0.content'), type: 'invalid_request_error', param: 'messages.0.content', code: 'nul_in_text' },
    });
  });

  it('still takes text without NUL, other control characters included', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/conversations', headers: authHeader(user), payload: { title: 'tab\there \u0001' } });
    expect(res.statusCode).toBe(201);
  });
});
