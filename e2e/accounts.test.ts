// Accounts in the browser, against a server of this file's own that mails through a real SMTP
// server in this process and requires verified email: confirm the address from the banner's mail,
// "Forgot password?" to the reset page and back in, end another device's session, delete the account.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpInbox, type SmtpInbox } from '../server/test/smtp-inbox.js';
import { launchBrowser, openPage, screenshotPath, uniqueEmail, type Watched } from './support/browser.js';
import { freePort, serverEnv, startServer, type RunningServer } from './support/server.js';

describe('accounts, in Chromium', () => {
  let inbox: SmtpInbox;
  let server: RunningServer;
  let browser: Browser;
  let w: Watched;
  let page: Page;
  let dataDir: string;
  const email = uniqueEmail('grace');
  let password = 'correct horse battery staple';

  beforeAll(async () => {
    inbox = await startSmtpInbox();
    dataDir = mkdtempSync(join(tmpdir(), 'quota-chat-e2e-accounts-'));
    const port = await freePort();
    [server, browser] = await Promise.all([
      startServer(
        serverEnv({
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          SMTP_URL: inbox.url,
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          REQUIRE_EMAIL_VERIFICATION: 'true',
          AUTH_RATE_LIMIT_PER_IP: '1000',
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
    await inbox?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const linkIn = async (subject: string) => /https?:\/\/\S+#token=[\w-]+/.exec((await inbox.next(email, subject)).text)![0];

  it('signs up, shows the verification banner, and confirms the address from the mail', async () => {
    await page.goto('/register');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill('password123');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText(/commonly used password/).waitFor();
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    const banner = page.getByText('Confirm your email to start chatting');
    await banner.waitFor();
    await page.screenshot({ path: screenshotPath('accounts-verification-banner') });

    await page.goto(await linkIn('Confirm your email'));
    await page.getByText('Your email is confirmed.').waitFor();
    expect(new URL(page.url()).hash).toBe(''); // the token is gone from the address bar
    await page.getByRole('link', { name: 'Go to the chat' }).click();
    await page.getByLabel('Message', { exact: true }).waitFor();
    expect(await banner.count()).toBe(0);
  });

  it('resets a forgotten password through the mailed link and logs in with the new one', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText(/a link to reset its password is on its way/).waitFor();

    await page.goto(await linkIn('Reset your Quota Chat password'));
    await page.getByLabel('New password', { exact: true }).fill('qwertyuiop');
    await page.getByLabel('Repeat the new password', { exact: true }).fill('qwertyuiop');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText(/frequently used password/).waitFor();
    await page.screenshot({ path: screenshotPath('accounts-reset-password') });
    password = 'a forgotten one, replaced';
    await page.getByLabel('New password', { exact: true }).fill(password);
    await page.getByLabel('Repeat the new password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('Your password is changed').waitFor();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
  });

  it('lists the sessions in Settings and ends another device’s', async () => {
    const other = await openPage(browser, { baseURL: server.url, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1' });
    await other.page.goto('/login');
    await other.page.getByLabel('Email', { exact: true }).fill(email);
    await other.page.getByLabel('Password', { exact: true }).fill(password);
    await other.page.getByRole('button', { name: 'Log in' }).click();
    await other.page.getByRole('button', { name: 'Log out' }).waitFor();

    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const sessions = page.getByRole('table', { name: 'Your sessions' });
    await sessions.getByText('Safari on iOS').waitFor();
    expect(await sessions.getByText('(this one)').count()).toBe(1);
    await page.getByRole('heading', { name: 'Sessions' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('accounts-sessions') });
    await page.getByRole('button', { name: 'End the session on Safari on iOS' }).click();
    await sessions.getByText('Safari on iOS').waitFor({ state: 'detached' });

    // The other device is signed out at once: its next request is refused and it lands on log-in.
    await other.page.getByRole('link', { name: 'Usage', exact: true }).click();
    await other.page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(other.problems).toEqual([]);
    await other.context.close();
  });

  it('deletes the account after asking for the password', async () => {
    await page.getByRole('button', { name: 'Delete account…' }).click();
    await page.getByLabel('Your password', { exact: true }).fill('not my password');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.getByText('The password is incorrect.').waitFor();
    await page.getByLabel('Your password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.getByText('Your account has been deleted.').waitFor();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Email or password is incorrect').waitFor();
  });

  it('ran without script errors or Content-Security-Policy violations', () => {
    expect(w.problems).toEqual([]);
    expect(w.dialogs).toEqual([]);
  });
});
