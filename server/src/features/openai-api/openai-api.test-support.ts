// Helpers for the /v1 tests: the app served on a real port with every provider pointed at the fake
// upstream and the real usage service (so the database shows what was metered), and newClient(),
// which makes a user of a tier, gives it an API key and points the official `openai` client at us.
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { DbKind } from '../../../test/databases.js';
import { startFakeUpstream, type FakeUpstream } from '../../../test/fake-upstream.js';
import { buildTestApp, createApiKey, createUser, listen, type TestApp, type TestUser } from '../../../test/test-app.js';
import type { TierName } from '../../lib/tiers/tiers.js';
import { fakeUpstreamEnv, setTier } from '../chat/chat.test-support.js';

export interface ApiTest {
  t: TestApp;
  upstream: FakeUpstream;
  /** The app's base URL, e.g. http://127.0.0.1:34567 (the client's baseURL is this + /v1). */
  url: string;
}

export interface ApiClient {
  user: TestUser;
  key: string;
  client: OpenAI;
}

/** The app's clock in these tests: fixed, so per-minute limits never straddle two windows. */
export const API_TEST_NOW = new Date('2026-11-20T10:00:00Z');

/** Registers the hooks of a /v1 test file; read the fields inside tests and hooks only. */
export function setupApiTest(kind: DbKind, { env = {} }: { env?: Record<string, string> } = {}): ApiTest {
  const ctx = {} as ApiTest;
  beforeAll(async () => {
    ctx.upstream = await startFakeUpstream();
    ctx.t = await buildTestApp(kind, { env: { DEMO_TOKEN_DELAY_MS: '0', ...fakeUpstreamEnv(ctx.upstream), ...env }, now: () => API_TEST_NOW });
    ctx.url = await listen(ctx.t.app);
  });
  afterAll(async () => {
    // After a client aborts a streamed response, Node 20's fetch (undici) may open a fresh socket
    // to the server and leave it idle without a request; the server's close would wait on it.
    ctx.t?.app.server.closeAllConnections();
    await ctx.t?.close();
    await ctx.upstream?.close();
  });
  beforeEach(() => ctx.upstream.reset());
  return ctx;
}

/** The official client as a developer would set it up, without retries so that each call is one request. */
export function openAiClient(ctx: ApiTest, apiKey: string, options: { maxRetries?: number } = {}): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${ctx.url}/v1`, maxRetries: 0, ...options });
}

/** A new user on `tier` with an API key, and the official client using that key. */
export async function newClient(ctx: ApiTest, tier: TierName = 'starter'): Promise<ApiClient> {
  const user = await createUser(ctx.t.app);
  if (tier !== 'free') await setTier(ctx.t, user, tier);
  const { key } = await createApiKey(ctx.t.app, user);
  return { user, key, client: openAiClient(ctx, key) };
}

/** The usage records of a user, oldest first. */
export async function usageRecords(ctx: ApiTest, userId: string) {
  const { rows } = await ctx.t.db.query<{
    model: string;
    provider: string;
    input_tokens: number;
    output_tokens: number;
    total_tokens: number;
    conversation_id: string | null;
    message_id: string | null;
    usage_source: string;
    outcome: string;
  }>(
    `SELECT model, provider, input_tokens, output_tokens, total_tokens, conversation_id, message_id, usage_source, outcome
     FROM usage_records WHERE user_id = $1 ORDER BY created_at, request_id`,
    [userId],
  );
  return rows;
}

/** Rows of conversations and messages a user has: the /v1 API must write none. */
export async function storedChatRows(ctx: ApiTest, userId: string): Promise<number> {
  const { rows } = await ctx.t.db.query<{ n: number }>(
    'SELECT (SELECT count(*) FROM conversations WHERE user_id = $1)::int + (SELECT count(*) FROM messages WHERE user_id = $1)::int AS n',
    [userId],
  );
  return rows[0]!.n;
}
