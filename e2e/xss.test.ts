// Markup in a message, the user's own or echoed back in a reply, never runs and never becomes a
// live element or link.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, sendAndWait, signUp, uniqueEmail } from './support/browser.js';

const PAYLOAD =
  '<img src=x onerror=alert(1)> [click me](javascript:alert(document.domain)) <script>alert(2)</script> ' +
  '<a href="javascript:alert(3)">raw link</a> <svg onload=alert(4)></svg> [data](data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==)';

describe('an XSS payload, in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('stays inert in the message, in the reply that quotes it, and after a reload', async () => {
    const { page, dialogs, problems } = await openPage(browser);
    await signUp(page, uniqueEmail('mallory'));
    await sendAndWait(page, PAYLOAD);

    const check = async () => {
      await page.locator('article.message.assistant .markdown').last().waitFor();
      await page.waitForTimeout(300); // give any injected handler the chance to fire
      expect(dialogs).toEqual([]);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('script:not([src])').count()).toBe(0);
      expect(await page.locator('main svg[onload], [onerror], [onload]').count()).toBe(0);
      const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
      expect(hrefs.filter((h) => /^\s*(javascript|data|vbscript):/i.test(h))).toEqual([]);
      // The user's message shows the text as typed.
      expect(await page.locator('article.message.user .bubble').first().textContent()).toBe(PAYLOAD);
      // The reply quotes it: the markdown link is shown as text without a target.
      const reply = page.locator('article.message.assistant').first();
      expect(await reply.locator('a', { hasText: 'click me' }).count()).toBe(0);
      expect(await reply.locator('.inert-link', { hasText: 'click me' }).count()).toBe(1);
    };

    await check();
    await page.reload();
    await check();
    expect(problems).toEqual([]);
  });
});
