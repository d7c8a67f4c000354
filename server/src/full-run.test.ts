// A full run of the real server process (node --import tsx server/src/main.ts), as an operator runs it: sign-up,
// log-in, a refresh, an API key, a chat, a /v1 call, clients that abort their streams, the admin
// command beside the running server, and then SIGTERM while two streams are open. It checks the
// graceful shutdown (the stream that can finish within SHUTDOWN_GRACE_SECONDS does; the other is
// stopped, ends properly for its client, and is stored and metered as stopped; exit 0), the one
// log line per request, and that no line of the whole log holds a password, token, key or text.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../test/databases.js';
import { runNpmScript, startServer, stopAllProcesses, tempDir, type ProcessOutput, type ServerProcess } from '../test/spawn-server.js';
import { readSse, textOf, type SsePart } from '../test/sse.js';
import { uniqueEmail } from '../test/test-app.js';
import { hashApiKey } from './features/keys/api-key.js';
import { countTextTokens } from './lib/model-calls/tokenizer.js';
import type { Db } from './platform/db/db.js';
import { openDatabase } from './platform/db/open.js';

describe.each(testDbKinds())('a full run of the server on %s', (kind) => {
  let dir: ReturnType<typeof tempDir>;
  let postgres: TestDatabase | undefined;
  let env: Record<string, string>;
  let server: ServerProcess;
  let exit: ProcessOutput | undefined;
  const email = uniqueEmail('full-run');
  const password = 'full-run password never logged';
  const wrongPassword = 'wrong password never logged';
  const messageText = 'message text never logged 5q8z';
  const secrets: string[] = [password, wrongPassword, messageText, `login:email:${email}`];
  let token = '';
  let apiKey = '';

  const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { ...(init.json !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }), ...init.headers },
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });
  const chat = (content: string, signal?: AbortSignal) => api('/api/chat', { method: 'POST', json: { model: 'demo', content }, signal });

  beforeAll(async () => {
    dir = tempDir('qc-full-run-');
    if (kind === 'postgres') postgres = await createTestDatabase(kind);
    // A slow demo model (long replies take seconds), a short grace period, room for every call.
    env = {
      DATA_DIR: dir.path,
      DEMO_TOKEN_DELAY_MS: '20',
      SHUTDOWN_GRACE_SECONDS: '1',
      LOG_LEVEL: 'debug',
      TIER_FREE_REQUESTS_PER_MINUTE: '1000',
      TIER_FREE_MONTHLY_TOKENS: '10000000',
      ...(postgres && { DATABASE_URL: postgres.url! }),
    };
    server = await startServer({ env, cwd: dir.path });
  });
  afterAll(async () => {
    await stopAllProcesses();
    await postgres?.drop();
    dir.remove();
  });

  /** The database the server used, once it has exited (PGlite is one process's). */
  async function afterExit<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (postgres) return fn(postgres.db);
    const db = await openDatabase({ databaseUrl: undefined, dataDir: dir.path, databasePoolSize: 1, databasePoolTimeoutMs: 5000 });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }

  it('answers GET /ready with 200 once it listens', async () => {
    const res = await fetch(`${server.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', database: 'ok' });
  });

  it('serves a whole session: sign-up, log-in, refresh, chat, an API key and /v1, and aborted streams', async () => {
    expect((await api('/api/auth/register', { method: 'POST', json: { email, password } })).status).toBe(201);
    expect((await api('/api/auth/login', { method: 'POST', json: { email, password: wrongPassword } })).status).toBe(401);
    const login = await api('/api/auth/login', { method: 'POST', json: { email, password } });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    secrets.push(cookie.split('=')[1]!);
    const refreshed = await api('/api/auth/refresh', { method: 'POST', headers: { cookie } });
    expect(refreshed.status).toBe(200);
    token = ((await refreshed.json()) as { access_token: string }).access_token;
    secrets.push(((await login.json()) as { access_token: string }).access_token, token, refreshed.headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!);

    const reply = await chat(messageText);
    expect(reply.status).toBe(200);
    expect(await reply.text()).toContain('"type":"finish"');

    const created = await api('/api/keys', { method: 'POST', json: { name: 'full run' } });
    apiKey = ((await created.json()) as { key: string }).key;
    secrets.push(apiKey, hashApiKey(apiKey));
    const client = new OpenAI({ apiKey, baseURL: `${server.url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: messageText }], max_tokens: 5 });
    expect(completion.choices[0]!.finish_reason).toBe('length');

    // Clients that leave at once, or a moment in: some before the first byte of the stream.
    await Promise.all(
      [0, 0, 1, 2, 5, 10, 20, 50].map(async (ms) => {
        const gone = new AbortController();
        const res = chat(`${messageText} long`, gone.signal);
        setTimeout(() => gone.abort(), ms);
        await res.then((r) => r.text()).catch(() => undefined);
      }),
    );
  });

  it('makes the admin command refuse to touch the embedded database while the server holds it, or do it on PostgreSQL', async () => {
    const out = await runNpmScript('admin', ['promote', email], env);
    if (kind === 'pglite') {
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('is in use by process');
      expect(out.stderr).toContain('stop the server');
      expect(out.stdout).not.toContain('is now an admin');
    } else {
      expect(out.stdout).toContain(`${email} is now an admin`);
      const me = (await (await api('/api/auth/me')).json()) as { role: string };
      expect(me.role).toBe('admin');
    }
  });

  it('on SIGTERM lets the stream that ends within the grace period finish, stops the other, stores and meters both, and exits 0', async () => {
    const long = await chat(`${messageText} long`);
    expect(long.status).toBe(200);
    const longParts: SsePart[] = [];
    const longRead = (async () => {
      for await (const part of readSse(long)) longParts.push(part);
    })();
    // A /v1 stream of 10 tokens: well under the second of grace at the demo's 20 ms a token.
    const short = await api('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}` },
      json: { model: 'demo', messages: [{ role: 'user', content: 'short' }], max_tokens: 10, stream: true, stream_options: { include_usage: true } },
    });
    expect(short.status).toBe(200);
    const shortRead = short.text();
    while (!longParts.some((p) => p.type === 'text-delta')) await new Promise((r) => setTimeout(r, 20));

    const exited = server.stop();
    const [shortBody] = await Promise.all([shortRead, longRead]);
    exit = await exited;
    expect(exit.code).toBe(0);

    // The short stream ran to its end: max_tokens reached, usage reported, [DONE].
    expect(shortBody).toContain('"finish_reason":"length"');
    expect(shortBody.trim().endsWith('data: [DONE]')).toBe(true);
    // The long one ended properly for its client: status stopped, then finish.
    const metadata = longParts.find((p) => p.type === 'message-metadata');
    expect(metadata?.messageMetadata.status).toBe('stopped');
    expect(longParts.at(-1)?.type).toBe('finish');
    const text = textOf(longParts);
    expect(text.length).toBeGreaterThan(0);

    // The two calls' own records: the chat's by its message, the /v1 call's by the request id its
    // completion id carries (the aborted chats above ran on in the background and were stopped too).
    const shortRequestId = /"id":"chatcmpl-([0-9a-f-]{36})"/.exec(shortBody)?.[1];
    expect(shortRequestId).toBeDefined();
    const stored = await afterExit(async (db) => {
      const message = await db.query<{ status: string; content: string; id: string }>(
        "SELECT id, status, content FROM messages WHERE id = $1 AND role = 'assistant'",
        [longParts.find((p) => p.type === 'start')!.messageId],
      );
      const usage = await db.query<{ outcome: string; output_tokens: number; message_id: string | null }>(
        'SELECT outcome, output_tokens, message_id FROM usage_records WHERE message_id = $1 OR request_id = $2',
        [message.rows[0]?.id, shortRequestId],
      );
      const reservations = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_reservations');
      return { message: message.rows[0], usage: usage.rows, reservations: reservations.rows[0]!.n };
    });
    expect(stored.message).toMatchObject({ status: 'stopped', content: text });
    expect(stored.usage, `${JSON.stringify(stored.usage)} ${countTextTokens(text)} ${text.length} ${JSON.stringify(text.slice(-80))}`).toEqual(
      expect.arrayContaining([
        { outcome: 'stopped', output_tokens: countTextTokens(text), message_id: stored.message!.id },
        { outcome: 'complete', output_tokens: expect.any(Number), message_id: null },
      ]),
    );
    expect(stored.usage).toHaveLength(2);
    expect(stored.reservations).toBe(0);
  });

  it('logs one JSON line per request, with its request id, user, route, status and duration', () => {
    const lines = server.logs().filter((l) => l.msg === 'request');
    const chats = lines.filter((l) => l.route === '/api/chat');
    // The first chat, the long one, and those of the aborted ones that reached the server.
    expect(chats.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      expect(line).toMatchObject({
        reqId: expect.any(String),
        method: expect.any(String),
        route: expect.any(String),
        status: expect.any(Number),
        durationMs: expect.any(Number),
      });
    }
    // A client that left before its request was authenticated has no user yet.
    expect(chats.filter((l) => !l.aborted).every((l) => typeof l.userId === 'string')).toBe(true);
    expect(new Set(lines.map((l) => l.reqId)).size).toBe(lines.length);
    expect(lines.find((l) => l.route === '/v1/chat/completions')?.userId).toEqual(chats[0]!.userId);
    // Fastify's own two lines per request (with the URL) are off.
    expect(server.logs().filter((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toEqual([]);
  });

  it('writes no password, token, key or message text in any line, and nothing at error level for aborted streams', () => {
    expect(exit).toBeDefined();
    const log = `${exit!.stdout}\n${exit!.stderr}`;
    for (const secret of secrets) expect(log.includes(secret), `the log holds ${secret.slice(0, 12)}...`).toBe(false);
    const errors = server.logs().filter((l) => typeof l.level === 'number' && l.level >= 50);
    expect(errors).toEqual([]);
  });
});
