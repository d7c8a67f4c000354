// The rough edges a new user met (issue 15), each driven in Chromium, with screenshots of what
// changed in both themes at desktop and phone sizes (into screenshots/, named rough-*).
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DESKTOP, launchBrowser, logIn, openPage, PHONE, screenshotPath, sendAndWait, signUp, uniqueEmail } from './support/browser.js';

const e2e = inject('e2e');
const PASSWORD = 'correct horse battery staple';

/**
 * Screenshots of what the page shows now, light and dark, desktop and phone, with `subject`
 * scrolled into view; back to light desktop after.
 */
async function shootAll(page: Page, name: string, subject?: Locator): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    for (const [device, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await page.setViewportSize(viewport);
      await subject?.scrollIntoViewIfNeeded();
      await page.waitForTimeout(150);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${name} fits the ${device} width`).toBe(true);
      await page.screenshot({ path: screenshotPath(`rough-${name}-${theme}-${device}`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(DESKTOP);
}

const escaped = (text: string) => new RegExp(text.replace(/[.+]/g, '\\$&'));

describe('rough edges, in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("takes any whole cap, warns when it is at or below the month's use, and a refusal blames the cap, not the plan", async () => {
    const w = await openPage(browser, { colorScheme: 'light' });
    const { page } = w;
    await signUp(page, uniqueEmail('capped'), PASSWORD);
    await sendAndWait(page, 'Hello there.');

    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await page.getByRole('meter').waitFor();
    const used = Number(await page.getByRole('meter').getAttribute('aria-valuenow'));
    expect(used).toBeGreaterThan(0);
    const cap = page.getByLabel('Monthly token cap');
    await cap.fill('1234');
    expect(await cap.evaluate((el: HTMLInputElement) => el.validity.valid)).toBe(true);
    const warning = page.getByRole('status').filter({ hasText: 'at or below' });
    expect(await warning.count()).toBe(0);
    await cap.fill(String(used));
    await warning.waitFor();
    expect(await warning.innerText()).toContain(`at or below the ${used.toLocaleString('en-US')} tokens you have used this month`);
    await shootAll(page, 'usage-cap-warning', warning);
    await page.getByRole('button', { name: 'Save cap' }).click();
    await page.getByText('Cap saved.').waitFor();

    await page.getByRole('link', { name: 'Chat', exact: true }).click();
    await page.getByLabel('Message', { exact: true }).fill('One more, please.');
    await page.getByRole('button', { name: 'Send message' }).click();
    const notice = page.getByRole('alert').filter({ hasText: 'Your own monthly cap reached' });
    await notice.waitFor();
    const text = await notice.innerText();
    expect(text).toContain(`your own monthly cap of ${used.toLocaleString('en-US')} tokens`);
    expect(text).toContain('raise or remove your cap');
    expect(text).not.toMatch(/tier/i);
    await shootAll(page, 'chat-cap-notice');
    expect(w.problems).toEqual([]);
    await w.context.close();
  });

  it('deactivates a user after a confirmation, says it is saved, and tells that user why they cannot log in', async () => {
    const email = uniqueEmail('leaving');
    const user = await openPage(browser);
    await signUp(user.page, email, PASSWORD);
    await user.context.close();

    const admin = await openPage(browser);
    const page = admin.page;
    await logIn(page, e2e.adminEmail, e2e.adminPassword);
    await page.getByRole('link', { name: 'Admin', exact: true }).click();
    await page.getByRole('searchbox').fill(email);
    const row = page.getByRole('row', { name: escaped(email) });
    await row.getByRole('button', { name: `Deactivate ${email}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Deactivate this user?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(`${email} will be signed out everywhere`);
    await shootAll(page, 'admin-deactivate-dialog');
    // Cancelling changes nothing and gives the focus back to the button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await row.getByRole('button', { name: `Deactivate ${email}` }).evaluate((el) => el === document.activeElement)).toBe(true);
    await row.getByRole('button', { name: `Deactivate ${email}` }).click();
    await dialog.getByRole('button', { name: 'Deactivate' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Saved: ${email} is deactivated` })
      .waitFor();
    await row.getByRole('button', { name: `Reactivate ${email}` }).waitFor();
    expect(await row.innerText()).toContain('Deactivated');
    await shootAll(page, 'admin-deactivated', row);

    const again = await openPage(browser);
    await again.page.goto('/login');
    await again.page.getByLabel('Email', { exact: true }).fill(email);
    await again.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await again.page.getByRole('button', { name: 'Log in' }).click();
    const refusal = again.page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('This account is deactivated; ask an administrator to reactivate it');
    await shootAll(again.page, 'login-deactivated');
    // A wrong password still says only that.
    await again.page.getByLabel('Password', { exact: true }).fill('not the password');
    await again.page.getByRole('button', { name: 'Log in' }).click();
    await again.page.getByRole('alert').filter({ hasText: 'Email or password is incorrect' }).waitFor();

    await row.getByRole('button', { name: `Reactivate ${email}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Saved: ${email} is active again` })
      .waitFor();
    await logIn(again.page, email, PASSWORD);

    expect(admin.problems).toEqual([]);
    expect(again.problems).toEqual([]);
    await admin.context.close();
    await again.context.close();
  });
});
