// Replies that outlive the page (docs/decisions/014): a reload mid-reply, a network that drops
// mid-reply, a second tab on the same conversation. The demo model writes its long reply for a few
// seconds; each test checks the reply reaches its end, as stored.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchBrowser, openPage, PHONE, screenshotPath, signUp, uniqueEmail, type Watched } from './support/browser.js';

const THE_END = 'That is the end of this long demo reply';

describe('replies that survive a reload, a dropped network and a second tab', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let w: Watched;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    w = await openPage(browser);
    page = w.page;
    await signUp(page, uniqueEmail('reloads'));
  });

  afterAll(async () => {
    await browser?.close();
  });

  const lastReply = (p = page) => p.locator('article.message.assistant').last();
  /** Sends a message asking for the long reply and waits until some of it is shown. */
  async function startLongReply(p: Page, text: string) {
    const replies = await p.locator('article.message.assistant').count();
    await p.getByLabel('Message', { exact: true }).fill(text);
    await p.getByRole('button', { name: 'Send message' }).click();
    await p.waitForFunction((before) => {
      const all = document.querySelectorAll('article.message.assistant .markdown');
      return all.length > before && (all[all.length - 1]?.textContent?.length ?? 0) > 150;
    }, replies);
  }
  const finished = (p = page) => p.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 60_000 });

  it('reloads in the middle of a long reply and sees it continue to its end', async () => {
    await startLongReply(page, 'Please give me a long answer (reload).');
    await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
    await page.reload();
    // Back on the page, the reply is followed live: Stop is offered while it is written.
    await page.getByRole('button', { name: 'Stop the reply' }).waitFor();
    await finished();
    expect(await lastReply().innerText()).toContain(THE_END);
    expect(await lastReply().locator('.message-status').count()).toBe(0);
    expect(
      await lastReply()
        .locator('.meta', { hasText: /\d tokens$/ })
        .count(),
    ).toBe(1);
  });

  it('keeps the reply when the network drops mid-reply, and shows it again once back online', async () => {
    await startLongReply(page, 'Please give me a long answer (offline).');
    await w.context.setOffline(true);
    try {
      await page.getByText('The connection was lost.').waitFor();
      await page.screenshot({ path: screenshotPath('chat-connection-lost-light-desktop') });
      await page.setViewportSize(PHONE);
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: screenshotPath('chat-connection-lost-dark-phone') });
      await page.setViewportSize(DESKTOP);
      await page.emulateMedia({ colorScheme: 'light' });
    } finally {
      await w.context.setOffline(false);
    }
    // Followed again (at once on 'online', or by the retry every few seconds), to its end.
    await page.getByText('The connection was lost.').waitFor({ state: 'detached' });
    await lastReply().getByText(THE_END).waitFor({ timeout: 60_000 });
    await finished();
    expect(await lastReply().locator('.message-status').count()).toBe(0);
    // Shown as stored.
    await page.reload();
    await lastReply().getByText(THE_END).waitFor();
  });

  it('shows in a second tab what the first one sent and received', async () => {
    const conversation = new URL(page.url()).pathname;
    const second = await w.context.newPage();
    await second.goto(conversation);
    await lastReply(second).getByText(THE_END).waitFor();
    const before = await second.locator('article.message').count();

    await page.bringToFront();
    await startLongReply(page, 'A long answer for both tabs, please.');
    await second.bringToFront();
    await second.evaluate(() => window.dispatchEvent(new Event('focus')));
    await second.locator('article.message.user .bubble', { hasText: 'A long answer for both tabs, please.' }).waitFor();
    await lastReply(second).getByText(THE_END).waitFor({ timeout: 60_000 });
    await finished(second);
    expect(await second.locator('article.message').count()).toBe(before + 2);
    await second.close();
  });

  it('after Stop keeps exactly the text shown, with its token count, without a reload', async () => {
    // Someone else in a browser of their own: the long replies above used up the first one's month.
    w = await openPage(browser);
    page = w.page;
    await signUp(page, uniqueEmail('stopper'));
    await startLongReply(page, 'Please give me a long answer (stop).');
    await page.getByRole('button', { name: 'Stop the reply' }).click();
    await page.screenshot({ path: screenshotPath('chat-stopping-light-desktop') });
    await lastReply().locator('.message-status', { hasText: 'Stopped' }).waitFor();
    await lastReply()
      .locator('.meta', { hasText: /\d tokens$/ })
      .waitFor();
    const shown = await lastReply().locator('.markdown').innerText();
    const tokens = await lastReply()
      .locator('.meta', { hasText: /\d tokens$/ })
      .innerText();
    await page.reload();
    await lastReply().locator('.message-status', { hasText: 'Stopped' }).waitFor();
    expect(await lastReply().locator('.markdown').innerText()).toBe(shown);
    expect(
      await lastReply()
        .locator('.meta', { hasText: /\d tokens$/ })
        .innerText(),
    ).toBe(tokens);
    expect(w.problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|net::ERR/.test(p))).toEqual([]);
  });
});
