// Once for the e2e suite: build the web app, start the real server on a free port with a fresh
// embedded database, and make an admin. PGlite serves one process, so the admin is made the way an
// operator would: sign up, stop the server, `npm run admin -- promote <email>`, start it again.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { CHROMIUM, hasChromium } from './support/chromium.js';
import { freePort, ROOT, runTsx, serverEnv, startServer, type RunningServer } from './support/server.js';

export interface E2EContext {
  baseUrl: string;
  adminEmail: string;
  adminPassword: string;
  /** Monthly tokens of the free tier in this run (low, so that the limit is reachable). */
  freeMonthlyTokens: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2EContext;
  }
}

const FREE_MONTHLY_TOKENS = 6000;

export default async function setup(project: TestProject) {
  // vitest.config.ts leaves this project out where there is no Chromium, except in CI, which must run it.
  if (!hasChromium()) throw new Error(`e2e: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

  // The production build users get (Vitest sets NODE_ENV=test, which would build React's development one).
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });

  const dataDir = mkdtempSync(join(tmpdir(), 'quota-chat-e2e-'));
  const env = serverEnv({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DEMO_TOKEN_DELAY_MS: '8',
    TIER_FREE_MONTHLY_TOKENS: String(FREE_MONTHLY_TOKENS),
    TIER_FREE_REQUESTS_PER_MINUTE: '200',
    AUTH_RATE_LIMIT_PER_IP: '1000',
    AUTH_RATE_LIMIT_PER_EMAIL: '1000',
  });
  const port = await freePort();
  const adminEmail = `admin-${Date.now().toString(36)}@example.com`;
  const adminPassword = 'admin password for the e2e run';

  let server: RunningServer = await startServer(env, port);
  const res = await fetch(`${server.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: adminEmail, password: adminPassword }),
  });
  if (res.status !== 201) throw new Error(`registering the admin failed: ${res.status} ${await res.text()}`);
  await server.stop();
  const promoted = await runTsx(['server/src/cli/admin.ts', 'promote', adminEmail], env);
  if (promoted.code !== 0) throw new Error(`npm run admin -- promote failed:\n${promoted.output}`);
  server = await startServer(env, port);

  project.provide('e2e', { baseUrl: server.url, adminEmail, adminPassword, freeMonthlyTokens: FREE_MONTHLY_TOKENS });

  return async () => {
    await server.stop();
    const output = server.output().trim();
    if (output && process.env['E2E_SERVER_LOG']) console.log(output);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
