// Preferences: the default instructions a user sets once, copied into each new conversation (made
// empty or by chatting) and sent to the model; the 20,000-character limit, for them and for a
// conversation's own, is one 422 SYSTEM_PROMPT_TOO_LONG.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { parseSse, textOf } from '../../../test/sse.js';
import { authHeader, buildTestApp, createUser, type TestApp, type TestUser } from '../../../test/test-app.js';
import { SYSTEM_PROMPT_MAX_CHARS } from '../../lib/system-prompt.js';

describe.each(testDbKinds())('preferences on %s', (kind) => {
  let t: TestApp;
  const clock = new Date('2026-12-02T10:00:00Z');
  beforeAll(async () => {
    t = await buildTestApp(kind, { now: () => clock });
  });
  afterAll(() => t.close());

  const api = (user: TestUser | null, method: 'GET' | 'PUT' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: user ? authHeader(user) : {}, ...(payload !== undefined && { payload: payload as object }) });
  const putDefault = (user: TestUser, text: string | null) => api(user, 'PUT', '/api/preferences', { default_system_prompt: text });
  const chatNew = async (user: TestUser, content: string) => {
    const res = await api(user, 'POST', '/api/chat', { model: 'demo', content });
    expect(res.statusCode).toBe(200);
    const { parts } = parseSse(res.body);
    return { id: parts[0]!.messageMetadata.conversation_id as string, text: textOf(parts) };
  };
  const systemPromptOf = async (user: TestUser, id: string) => (await api(user, 'GET', `/api/conversations/${id}`)).json().system_prompt as string | null;
  const expectTooLong = (res: Awaited<ReturnType<typeof api>>) => {
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'SYSTEM_PROMPT_TOO_LONG', status: 422, limit: SYSTEM_PROMPT_MAX_CHARS });
  };

  describe('GET /api/preferences', () => {
    it('answers the defaults before anything is saved, and 401 without a session', async () => {
      const user = await createUser(t.app);
      const res = await api(user, 'GET', '/api/preferences');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ default_system_prompt: null, updated_at: null });
      expect((await api(null, 'GET', '/api/preferences')).statusCode).toBe(401);
    });
  });

  describe('PUT /api/preferences', () => {
    it('saves the default instructions, reads them back, and clears them with null or blank text', async () => {
      const user = await createUser(t.app);
      const saved = await putDefault(user, 'Answer in French.');
      expect(saved.statusCode).toBe(200);
      expect(saved.json()).toEqual({ default_system_prompt: 'Answer in French.', updated_at: clock.toISOString() });
      expect((await api(user, 'GET', '/api/preferences')).json().default_system_prompt).toBe('Answer in French.');
      expect((await putDefault(user, '   \n ')).json().default_system_prompt).toBeNull();
      await putDefault(user, 'again');
      expect((await putDefault(user, null)).json().default_system_prompt).toBeNull();
      const { rows } = await t.db.query('SELECT count(*)::int AS n FROM user_preferences WHERE user_id = $1', [user.id]);
      expect(rows[0]).toEqual({ n: 1 });
    });

    it(`accepts ${SYSTEM_PROMPT_MAX_CHARS} characters, counting an emoji as one, and refuses one more with 422 SYSTEM_PROMPT_TOO_LONG`, async () => {
      const user = await createUser(t.app);
      expect((await putDefault(user, 'x'.repeat(SYSTEM_PROMPT_MAX_CHARS))).statusCode).toBe(200);
      // 20,000 emoji are 40,000 UTF-16 units: still 20,000 characters, as the CHECK constraint counts.
      expect((await putDefault(user, '😀'.repeat(SYSTEM_PROMPT_MAX_CHARS))).statusCode).toBe(200);
      const refused = await putDefault(user, 'y'.repeat(SYSTEM_PROMPT_MAX_CHARS + 1));
      expectTooLong(refused);
      expect(refused.json().detail).toContain('20,001');
      expect((await api(user, 'GET', '/api/preferences')).json().default_system_prompt).toBe('😀'.repeat(SYSTEM_PROMPT_MAX_CHARS));
    });

    it('refuses bad bodies with a 4xx problem and changes nothing', async () => {
      const user = await createUser(t.app);
      await putDefault(user, 'kept');
      for (const payload of [{}, { default_system_prompt: 42 }, { default_system_prompt: ['a'] }, { default_system_prompt: 'a', user_id: user.id }, []]) {
        const res = await api(user, 'PUT', '/api/preferences', payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(422);
        expect(res.json().code).toBe('VALIDATION_FAILED');
      }
      const nul = await putDefault(user, 'a\u0000b');
      expect(nul.statusCode).toBe(400);
      expect(nul.json().code).toBe('NUL_IN_TEXT');
      const notJson = await t.app.inject({
        method: 'PUT',
        url: '/api/preferences',
        headers: { ...authHeader(user), 'content-type': 'application/json' },
        payload: '{',
      });
      expect(notJson.statusCode).toBe(400);
      expect((await api(user, 'GET', '/api/preferences')).json().default_system_prompt).toBe('kept');
      expect((await api(null, 'PUT', '/api/preferences', { default_system_prompt: 'x' })).statusCode).toBe(401);
    });
  });

  describe('new conversations', () => {
    it('start with a copy of the default: made empty or by chatting, and the model is sent it', async () => {
      const user = await createUser(t.app);
      await putDefault(user, 'Speak like a pirate.');
      const empty = (await api(user, 'POST', '/api/conversations', {})).json();
      expect(empty.system_prompt).toBe('Speak like a pirate.');

      const chatted = await chatNew(user, 'Hello there');
      expect(chatted.text).toContain('this system prompt: "Speak like a pirate."');
      expect(await systemPromptOf(user, chatted.id)).toBe('Speak like a pirate.');

      // A copy: changing the default later leaves existing conversations as they were.
      await putDefault(user, 'Speak like a poet.');
      expect(await systemPromptOf(user, chatted.id)).toBe('Speak like a pirate.');
      const next = parseSse((await api(user, 'POST', '/api/chat', { model: 'demo', conversation_id: chatted.id, content: 'More' })).body);
      expect(textOf(next.parts)).toContain('this system prompt: "Speak like a pirate."');
    });

    it("keep a system prompt given at creation (null for none), and never get another user's default", async () => {
      const user = await createUser(t.app);
      await putDefault(user, 'Default one.');
      expect((await api(user, 'POST', '/api/conversations', { system_prompt: 'Own one.' })).json().system_prompt).toBe('Own one.');
      expect((await api(user, 'POST', '/api/conversations', { system_prompt: null })).json().system_prompt).toBeNull();

      const other = await createUser(t.app);
      expect((await api(other, 'POST', '/api/conversations', {})).json().system_prompt).toBeNull();
      const chatted = await chatNew(other, 'Hi');
      expect(chatted.text).toContain('no system prompt');
      expect(await systemPromptOf(other, chatted.id)).toBeNull();
    });
  });

  describe("a conversation's own system prompt", () => {
    it(`answers 422 SYSTEM_PROMPT_TOO_LONG past ${SYSTEM_PROMPT_MAX_CHARS} characters on create and on change, and keeps the old one`, async () => {
      const user = await createUser(t.app);
      const long = 'z'.repeat(SYSTEM_PROMPT_MAX_CHARS + 1);
      expectTooLong(await api(user, 'POST', '/api/conversations', { system_prompt: long }));
      const { id } = (await api(user, 'POST', '/api/conversations', { system_prompt: 'Short.' })).json();
      expectTooLong(await api(user, 'PATCH', `/api/conversations/${id}`, { system_prompt: long }));
      expect(await systemPromptOf(user, id)).toBe('Short.');
      const max = await api(user, 'PATCH', `/api/conversations/${id}`, { system_prompt: 'z'.repeat(SYSTEM_PROMPT_MAX_CHARS) });
      expect(max.statusCode).toBe(200);
    });
  });
});
