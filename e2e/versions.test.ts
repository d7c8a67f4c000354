// Versions and branches (docs/decisions/018) in a real browser: a regenerated reply keeps the
// earlier one as "1/2", an edit starts a branch beside the old one, the arrows switch between them,
// the choice survives a reload, and the composer continues the branch shown. The demo model says how
// many earlier messages it was sent, which shows what the prompt held. Screenshots at desktop and
// phone, light and dark, go to screenshots/.
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserPageForFile, DESKTOP, logIn, openPage, PHONE, screenshotPath, sendAndWait, signUp, uniqueEmail } from './support/browser.js';

describe('versions and branches after reload', () => {
  const watched = browserPageForFile();
  let conversationPath = '';
  const email = uniqueEmail('versions');
  const PASSWORD = 'correct horse battery staple';
  const page = () => watched().page;

  const replies = () => page().locator('article.message.assistant');
  const mine = () => page().locator('article.message.user');
  const versionsOf = (article: Locator) => article.getByRole('group', { name: /^Version \d+ of \d+ of this/ });
  const waitIdle = () => page().getByRole('button', { name: 'Send message' }).waitFor({ timeout: 60_000 });

  it('keeps a regenerated reply as version 1 of 2, and the arrows switch between them', async () => {
    await signUp(page(), email, PASSWORD);
    await sendAndWait(page(), 'First question');
    await page().waitForURL(/\/c\/[0-9a-f-]{36}$/);
    conversationPath = new URL(page().url()).pathname;
    await sendAndWait(page(), 'Second question');
    expect(await versionsOf(replies().last()).count()).toBe(0);
    const firstReply = await replies().last().locator('.markdown').innerText();

    await replies().last().getByRole('button', { name: 'Regenerate this reply' }).click();
    await waitIdle();
    const group = replies().last().getByRole('group', { name: 'Version 2 of 2 of this reply' });
    await group.waitFor();
    expect(await group.innerText()).toContain('2/2');
    expect(await page().locator('article.message').count()).toBe(4);

    await replies().last().getByRole('button', { name: 'Previous version of this reply' }).click();
    await replies().last().getByRole('group', { name: 'Version 1 of 2 of this reply' }).waitFor();
    expect(await replies().last().locator('.markdown').innerText()).toBe(firstReply);
    expect(watched().problems).toEqual([]);
  });

  it('shows the version chosen after a reload, and the composer continues that branch', async () => {
    await page().reload();
    await replies().last().getByRole('group', { name: 'Version 1 of 2 of this reply' }).waitFor();
    await sendAndWait(page(), 'Third question');
    // The prompt held the branch shown: two exchanges before the new message.
    expect(await replies().last().innerText()).toContain('holds 4 earlier messages');
    await page().reload();
    await mine().filter({ hasText: 'Third question' }).waitFor();
    expect(await page().locator('article.message').count()).toBe(6);
    expect(await versionsOf(replies().nth(1)).getAttribute('aria-label')).toBe('Version 1 of 2 of this reply');
  });

  it('edits a message into a new branch beside the old one, and goes back to the old branch whole', async () => {
    await mine().first().getByRole('button', { name: 'Edit and resend this message' }).click();
    await page().getByLabel('Edit your message', { exact: true }).fill('First question, asked again');
    await page().getByRole('button', { name: 'Save and send' }).click();
    await waitIdle();
    await mine().first().getByRole('group', { name: 'Version 2 of 2 of this message' }).waitFor();
    expect(await page().locator('article.message').count()).toBe(2);
    expect(await replies().last().innerText()).toContain('holds 0 earlier messages');

    await page().reload();
    await mine().first().getByRole('group', { name: 'Version 2 of 2 of this message' }).waitFor();
    expect(await mine().first().locator('.bubble').innerText()).toBe('First question, asked again');

    await mine().first().getByRole('button', { name: 'Previous version of this message' }).click();
    await mine().filter({ hasText: 'Third question' }).waitFor();
    expect(await page().locator('article.message').count()).toBe(6);
    expect(await mine().first().locator('.bubble').innerText()).toBe('First question');
    await page().reload();
    await mine().filter({ hasText: 'Third question' }).waitFor();
    expect(await mine().first().getByRole('group').getAttribute('aria-label')).toBe('Version 1 of 2 of this message');
    expect(watched().problems).toEqual([]);
  });

  for (const { theme, device, viewport } of [
    { theme: 'light', device: 'desktop', viewport: DESKTOP },
    { theme: 'dark', device: 'desktop', viewport: DESKTOP },
    { theme: 'light', device: 'phone', viewport: PHONE },
    { theme: 'dark', device: 'phone', viewport: PHONE },
  ] as const) {
    it(`screenshot: versions, ${theme} theme, ${device}`, async () => {
      // A session of its own: sharing the first page's refresh cookie would look like a stolen token.
      const shot = await openPage(watched().context.browser()!, { viewport, colorScheme: theme, isMobile: device === 'phone', hasTouch: device === 'phone' });
      const shotPage = shot.page;
      await logIn(shotPage, email, PASSWORD);
      await shotPage.goto(conversationPath);
      await shotPage.locator('article.message.user').first().getByRole('group', { name: 'Version 1 of 2 of this message' }).waitFor();
      await shotPage.locator('article.message.assistant').nth(1).getByRole('group', { name: 'Version 1 of 2 of this reply' }).scrollIntoViewIfNeeded();
      await shotPage.waitForTimeout(150);
      expect(await shotPage.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
      await shotPage.screenshot({ path: screenshotPath(`versions-reply-${theme}-${device}`) });
      await shotPage.locator('article.message.user').first().scrollIntoViewIfNeeded();
      await shotPage.waitForTimeout(150);
      await shotPage.screenshot({ path: screenshotPath(`versions-message-${theme}-${device}`) });
      expect(shot.problems).toEqual([]);
      await shot.context.close();
    });
  }
});
