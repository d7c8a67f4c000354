// Buying a plan in the browser: a server of its own with billing on, its Stripe calls going to the
// local fake Stripe (server/test/fake-stripe.ts), whose hosted checkout page delivers the signed
// events and sends the browser back. Plans page, Choose Builder, the (fake) checkout, Pay, back on
// Plans, and the Usage page showing the raised limit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_STRIPE_SECRET_KEY, FAKE_STRIPE_WEBHOOK_SECRET, startFakeStripe, type FakeStripe } from '../server/test/fake-stripe.js';
import { launchBrowser, openPage, screenshotPath, signUp, uniqueEmail } from './support/browser.js';
import { freePort, serverEnv, startServer, type RunningServer } from './support/server.js';

describe('buying a plan through Stripe, in Chromium', () => {
  let browser: Browser;
  let fake: FakeStripe;
  let server: RunningServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'quota-chat-e2e-billing-'));

  beforeAll(async () => {
    fake = await startFakeStripe();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    fake.webhookUrl = `${url}/api/billing/webhook`;
    const env = serverEnv({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT_PER_IP: '1000',
      PUBLIC_URL: url,
      STRIPE_SECRET_KEY: FAKE_STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: FAKE_STRIPE_WEBHOOK_SECRET,
      STRIPE_PRICE_STARTER: 'price_e2e_starter',
      STRIPE_PRICE_BUILDER: 'price_e2e_builder',
      STRIPE_API_URL: fake.url,
    });
    [server, browser] = await Promise.all([startServer(env, port), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('walks the plans page to the checkout and back to a raised limit', async () => {
    const { page, problems } = await openPage(browser, { baseURL: server.url });
    await signUp(page, uniqueEmail('buyer'));

    await page.getByRole('link', { name: 'Plans', exact: true }).click();
    const choose = page.getByRole('button', { name: 'Choose Builder' });
    await choose.waitFor();
    // Sold tiers have a button; free and the unpriced advanced do not.
    expect(await page.getByRole('button', { name: /^Choose / }).count()).toBe(2);
    await page.screenshot({ path: screenshotPath('plans-billing-light-desktop') });

    await choose.click();
    await page.getByRole('heading', { name: 'Fake Stripe Checkout' }).waitFor();
    expect(page.url()).toMatch(new RegExp(`^${fake.url}/checkout/cs_test_`));
    await page.getByRole('button', { name: 'Pay' }).click();

    // Back on our plans page: the events were delivered before Stripe sent the browser back.
    await page.waitForURL(/\/plans\?checkout=success$/);
    await page.getByText('Thank you: you are on Builder.').waitFor();
    const facts = page.locator('.subscription-facts');
    expect(await facts.innerText()).toMatch(/Plan\s+Builder[\s\S]*Active[\s\S]*Renews on/);
    expect(await page.getByRole('button', { name: /^Choose / }).count()).toBe(0);
    await page.getByRole('button', { name: 'Manage subscription' }).waitFor();
    await page.screenshot({ path: screenshotPath('plans-subscribed-light-desktop') });

    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await page.getByRole('meter').waitFor();
    expect(await page.getByText('Builder (5,000,000 tokens a month)').count()).toBe(1);
    expect(Number(await page.getByRole('meter').getAttribute('aria-valuemax'))).toBe(5_000_000);
    await page.getByRole('heading', { name: 'Subscription' }).waitFor();
    await page.screenshot({ path: screenshotPath('usage-subscribed-light-desktop'), fullPage: true });

    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { name: 'Subscription' }).waitFor();
    expect(await page.locator('.facts').first().innerText()).toContain('Builder');
    expect(problems).toEqual([]);
  });
});
