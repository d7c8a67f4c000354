// The tier limit in the browser: a free user chats until the month's tokens are used, sees the
// limit said plainly with the tiers, an admin raises the tier, and the user chats again.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, logIn, openPage, screenshotPath, signUp, uniqueEmail } from './support/browser.js';

const e2e = inject('e2e');

describe('the monthly limit, in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('says plainly when the limit is reached, and an admin raising the tier lets the user chat again', async () => {
    const user = await openPage(browser);
    const page = user.page;
    const email = uniqueEmail('grace');
    await signUp(page, email);

    const notice = page.getByRole('alert').filter({ hasText: 'Monthly limit reached' });
    let sent = 0;
    while (!(await notice.isVisible())) {
      expect(sent, 'the limit was never reached').toBeLessThan(25);
      await page.getByLabel('Message', { exact: true }).fill(`Message ${sent + 1}: tell me something long, please.`);
      await page.getByRole('button', { name: 'Send message' }).click();
      await Promise.race([page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 60_000 }), notice.waitFor({ timeout: 60_000 })]);
      await page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 60_000 });
      sent += 1;
    }
    expect(sent).toBeGreaterThan(1);
    const text = await notice.innerText();
    const limit = e2e.freeMonthlyTokens.toLocaleString('en-US');
    expect(text).toMatch(
      new RegExp(`You've used ([\\d,]+ of )?this month's ${limit} tokens(, and this message needs more than the [\\d,]+ left)?; resets on \\w+`),
    );
    expect(await notice.getByRole('row', { name: /Starter/ }).count()).toBe(1);
    // The refused message is back in the box, not lost.
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe(`Message ${sent}: tell me something long, please.`);
    await page.screenshot({ path: screenshotPath('chat-quota-light-desktop') });

    // The usage page agrees.
    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await page.getByRole('meter').waitFor();
    expect(Number(await page.getByRole('meter').getAttribute('aria-valuenow'))).toBeGreaterThan(e2e.freeMonthlyTokens / 2);

    // An admin finds the user and raises the tier.
    const admin = await openPage(browser);
    await logIn(admin.page, e2e.adminEmail, e2e.adminPassword);
    await admin.page.getByRole('link', { name: 'Admin', exact: true }).click();
    await admin.page.getByRole('searchbox').fill(email);
    const row = admin.page.getByRole('row', { name: new RegExp(email.replace(/[.+]/g, '\\$&')) });
    await row.waitFor();
    expect(await row.innerText()).toContain(`/ ${limit}`);
    const patched = admin.page.waitForResponse((r) => r.url().includes('/api/admin/users/') && r.request().method() === 'PATCH');
    await row.getByLabel(`Tier of ${email}`, { exact: true }).selectOption('starter');
    expect((await patched).status()).toBe(200);
    await admin.page.waitForFunction((e) => document.querySelector<HTMLSelectElement>(`select[aria-label="Tier of ${e}"]`)?.value === 'starter', email);

    // The user chats again.
    await page.getByRole('link', { name: 'Chat', exact: true }).click();
    await page.getByLabel('Message', { exact: true }).fill('Hello again, with a bigger allowance.');
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('article.message.assistant').last().innerText()).toContain('"Hello again, with a bigger allowance."');
    expect(await notice.count()).toBe(0);

    expect(user.problems).toEqual([]);
    expect(admin.problems).toEqual([]);
  });
});
