// Helpers for the chat tests: a usage meter that records every call (and can refuse or lower the
// cap), and buildTestApp's twin that wires that meter into the app.
import { buildApp } from '../../app.js';
import { AppError } from '../../lib/errors.js';
import { createTestDatabase, type DbKind } from '../../../test/databases.js';
import { TEST_JWT_SECRET, type TestApp, type TestUser, testConfig } from '../../../test/test-app.js';
import { createUsersService } from '../users/users.service.js';
import type { TierName } from '../tiers/tiers.js';
import type { ReserveRequest, SettleRequest, UsageMeter } from './usage-meter.js';

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

export async function buildChatTestApp(kind: DbKind, { env = {}, meter }: { env?: Record<string, string>; meter: UsageMeter }): Promise<TestApp> {
  const database = await createTestDatabase(kind);
  const config = testConfig({ DEMO_TOKEN_DELAY_MS: '0', ...env });
  const app = await buildApp(config, { db: database.db, jwtSecret: TEST_JWT_SECRET, usageMeter: meter, webDist: false });
  await app.ready();
  return {
    app,
    db: database.db,
    config,
    database,
    async close() {
      await app.close();
      await database.drop();
    },
  };
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
  const { rows } = await t.db.query<{ role: string; content: string; status: string; error: string | null; input_tokens: number | null; output_tokens: number | null }>(
    'SELECT role, content, status, error, input_tokens, output_tokens FROM messages WHERE id = $1',
    [id],
  );
  return rows[0];
}
