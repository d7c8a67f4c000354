// Helpers for the chat tests: a usage meter that records every call (and can refuse or lower the
// cap), the environment that points every provider at the fake upstream, and setupChatTest(),
// the hooks that give a test file that upstream, an app wired to it and a user.
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { DbKind } from '../../../test/databases.js';
import { sleep, startFakeUpstream, type FakeUpstream, type RecordedRequest } from '../../../test/fake-upstream.js';
import { buildTestApp, createUser, listen, type TestApp, type TestUser } from '../../../test/test-app.js';
import { AppError } from '../../lib/errors.js';
import type { ReserveRequest, SettleRequest, UsageMeter } from '../../lib/model-calls/usage-meter.js';
import type { TierName } from '../../lib/tiers/tiers.js';
import { createUsersService } from '../users/users.service.js';

export interface RecordingMeter extends UsageMeter {
  reserves: ReserveRequest[];
  settles: SettleRequest[];
  releases: string[];
  /** Next reserve throws this (e.g. QUOTA_EXCEEDED). */
  refuse?: AppError;
  /** Reserve lowers the output cap to this. */
  capTo?: number;
  reset(): void;
}

export function recordingMeter(): RecordingMeter {
  const meter: RecordingMeter = {
    reserves: [],
    settles: [],
    releases: [],
    async reserve(request) {
      meter.reserves.push(request);
      if (meter.refuse) throw meter.refuse;
      return { maxOutputTokens: Math.min(request.maxOutputTokens, meter.capTo ?? Infinity) };
    },
    async settle(request) {
      meter.settles.push(request);
    },
    async release({ requestId }) {
      meter.releases.push(requestId);
    },
    reset() {
      meter.reserves = [];
      meter.settles = [];
      meter.releases = [];
      meter.refuse = undefined;
      meter.capTo = undefined;
    },
  };
  return meter;
}

export const quotaExceeded = () => new AppError('QUOTA_EXCEEDED', 'No tokens left this month.');

/** The API keys fakeUpstreamEnv gives each provider: tests check they reach the provider and never a client. */
export const FAKE_UPSTREAM_KEYS = { openai: 'sk-openai-test', anthropic: 'sk-ant-test', openaiCompatible: 'local-key' } as const;

/**
 * The environment that points every provider at the fake upstream, one model each:
 * gpt-4o-mini (OpenAI), claude-haiku-4-5 (Anthropic) and llama3.1 (OpenAI-compatible).
 */
export function fakeUpstreamEnv(upstream: Pick<FakeUpstream, 'baseUrl'>): Record<string, string> {
  return {
    OPENAI_API_KEY: FAKE_UPSTREAM_KEYS.openai,
    OPENAI_BASE_URL: upstream.baseUrl,
    OPENAI_MODELS: 'gpt-4o-mini',
    ANTHROPIC_API_KEY: FAKE_UPSTREAM_KEYS.anthropic,
    ANTHROPIC_BASE_URL: upstream.baseUrl,
    ANTHROPIC_MODELS: 'claude-haiku-4-5',
    OPENAI_COMPATIBLE_API_KEY: FAKE_UPSTREAM_KEYS.openaiCompatible,
    OPENAI_COMPATIBLE_BASE_URL: upstream.baseUrl,
    OPENAI_COMPATIBLE_MODELS: 'llama3.1',
  };
}

export interface ChatTest {
  t: TestApp;
  upstream: FakeUpstream;
  meter: RecordingMeter;
  /** A user on the tier setupChatTest was given. */
  user: TestUser;
  /** The app's base URL, when setupChatTest was asked to listen (real HTTP, to abort mid-stream). */
  url: string;
}

/**
 * Registers the hooks of a chat test file: before all, a fake upstream, the app with every
 * provider pointed at it (fakeUpstreamEnv, the demo model at full speed, then `env`), a recording
 * meter and a user on `tier`; before each test, meter and upstream reset; after all, both closed.
 * The fields are filled in by the beforeAll hook: read them inside tests and hooks only.
 */
export function setupChatTest(
  kind: DbKind,
  { env = {}, tier = 'starter', listen: serve = false }: { env?: Record<string, string>; tier?: TierName; listen?: boolean } = {},
): ChatTest {
  const ctx = { meter: recordingMeter() } as ChatTest;
  beforeAll(async () => {
    ctx.upstream = await startFakeUpstream();
    ctx.t = await buildTestApp(kind, { env: { DEMO_TOKEN_DELAY_MS: '0', ...fakeUpstreamEnv(ctx.upstream), ...env }, deps: { usageMeter: ctx.meter } });
    if (serve) ctx.url = await listen(ctx.t.app);
    ctx.user = await createUser(ctx.t.app);
    if (tier !== 'free') await setTier(ctx.t, ctx.user, tier);
  });
  afterAll(async () => {
    await ctx.t?.close();
    await ctx.upstream?.close();
  });
  beforeEach(() => {
    ctx.meter.reset();
    ctx.upstream.reset();
  });
  return ctx;
}

export async function setTier(t: TestApp, user: TestUser, tier: TierName) {
  await createUsersService({ db: t.db }).updateUser(user.id, { tier });
}

/** Polls until check() returns a value (not undefined), or fails after timeoutMs. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function messageRow(t: TestApp, id: string) {
  const { rows } = await t.db.query<{
    role: string;
    content: string;
    status: string;
    error: string | null;
    input_tokens: number | null;
    output_tokens: number | null;
  }>('SELECT role, content, status, error, input_tokens, output_tokens FROM messages WHERE id = $1', [id]);
  return rows[0];
}

/**
 * Waits for an upstream request's connection to close, then checks that we aborted it and that the
 * provider generated nothing more afterwards (a stopped reply spends no more tokens).
 */
export async function expectUpstreamAborted(request: RecordedRequest) {
  await request.closed;
  expect(request.aborted).toBe(true);
  const sentAtAbort = request.tokensSent;
  await sleep(100);
  expect(request.tokensSent).toBe(sentAtAbort);
}
