// buildTestApp(): a fresh database of the given kind, migrated, and the app built on it with a
// test config (silent logs, generous auth limits unless a test sets its own), an optional clock
// and any other dependency a test wants to replace (e.g. a recording usage meter). `services` is
// the app's own service graph (services.ts), for tests that call a service directly.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppDeps } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import type { Db } from '../src/platform/db/db.js';
import type { Services } from '../src/services.js';
import { createTestDatabase, type DbKind, type TestDatabase } from './databases.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-thirty-two-bytes-long!';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  services: Services;
  config: Config;
  database: TestDatabase;
  close(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: '/nonexistent-test-data-dir',
    AUTH_RATE_LIMIT_PER_IP: '1000',
    AUTH_RATE_LIMIT_PER_EMAIL: '1000',
    ...env,
  });
}

export interface TestAppOptions {
  env?: Record<string, string>;
  now?: () => Date;
  /** A database to build on (and leave open on close); by default a fresh one of `kind`. */
  database?: TestDatabase;
  /** Further dependencies, e.g. `{ usageMeter }`. The built web app is not served unless a test asks. */
  deps?: Partial<Omit<AppDeps, 'db' | 'jwtSecret'>>;
}

export async function buildTestApp(kind: DbKind, { env = {}, now, database, deps = {} }: TestAppOptions = {}): Promise<TestApp> {
  const db = database ?? (await createTestDatabase(kind));
  const config = testConfig(env);
  const app = await buildApp(config, { webDist: false, now, ...deps, db: db.db, jwtSecret: TEST_JWT_SECRET });
  await app.ready();
  return {
    app,
    db: db.db,
    services: app.services,
    config,
    database: db,
    async close() {
      await app.close();
      if (!database) await db.drop();
    },
  };
}

/** Serves the app on a free local port; answers its base URL, e.g. http://127.0.0.1:34567. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshCookie: string;
}

/** Registers and logs in a user through the real routes. */
export async function createUser(app: FastifyInstance, { email = uniqueEmail(), password = 'correct horse battery' } = {}): Promise<TestUser> {
  const reg = await app.inject({ method: 'POST', url: '/api/auth/register', payload: { email, password } });
  if (reg.statusCode !== 201) throw new Error(`register failed: ${reg.statusCode} ${reg.body}`);
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
  return {
    id: reg.json().id,
    email: reg.json().email,
    password,
    accessToken: login.json().access_token,
    refreshCookie: refreshCookieOf(login),
  };
}

export function refreshCookieOf(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name === 'refresh_token');
  if (!cookie) throw new Error('no refresh_token cookie');
  return cookie.value;
}

export function authHeader(user: { accessToken: string }) {
  return { authorization: `Bearer ${user.accessToken}` };
}

export interface TestApiKey {
  id: string;
  name: string;
  prefix: string;
  key: string;
}

/** Creates a personal API key through the real route (the one answer that shows the key). */
export async function createApiKey(app: FastifyInstance, user: { accessToken: string }, name = 'test key'): Promise<TestApiKey> {
  const res = await app.inject({ method: 'POST', url: '/api/keys', headers: authHeader(user), payload: { name } });
  if (res.statusCode !== 201) throw new Error(`creating an API key failed: ${res.statusCode} ${res.body}`);
  return res.json();
}
