// Single sign-on in the browser, against a server of this file's own pointed at a real OpenID
// Connect provider (oidc-provider) in this process: "Sign in with Acme ID" on the login page, the
// provider's redirects, and back in the app, signed in, to a chat with a reply.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type TestOidcProvider } from '../server/test/oidc-provider.js';
import { launchBrowser, openPage, screenshotPath, sendAndWait, uniqueEmail, type Watched } from './support/browser.js';
import { freePort, serverEnv, startServer, type RunningServer } from './support/server.js';

describe('single sign-on, in Chromium', () => {
  let provider: TestOidcProvider;
  let server: RunningServer;
  let browser: Browser;
  let w: Watched;
  let page: Page;
  let dataDir: string;
  const email = uniqueEmail('staff');

  beforeAll(async () => {
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider({ redirectUri: `${appUrl}/api/sso/callback` });
    provider.signInAs({ sub: 'staff-1', email, email_verified: true });
    dataDir = mkdtempSync(join(tmpdir(), 'quota-chat-e2e-sso-'));
    [server, browser] = await Promise.all([
      startServer(
        serverEnv({
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          PUBLIC_URL: appUrl,
          DEMO_TOKEN_DELAY_MS: '5',
          OIDC_DISPLAY_NAME: 'Acme ID',
          OIDC_ONLY: 'true',
          ...provider.env,
        }),
        port,
      ),
      launchBrowser(),
    ]);
    w = await openPage(browser, { baseURL: server.url });
    page = w.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await provider?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in with the provider from the login page and chats', async () => {
    await page.goto('/login');
    const button = page.getByRole('link', { name: 'Sign in with Acme ID' });
    await button.waitFor();
    expect(await page.getByRole('link', { name: 'Create an account' }).count()).toBe(0); // OIDC_ONLY
    await page.screenshot({ path: screenshotPath('sso-login') });
    await button.click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');

    await sendAndWait(page, 'Hello from single sign-on');
    await page.locator('article.message.assistant').last().waitFor();
    expect((await page.locator('article.message.assistant').last().textContent())?.trim().length).toBeGreaterThan(0);
    expect(w.problems).toEqual([]);
  });
});
