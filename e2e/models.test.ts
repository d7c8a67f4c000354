// Model details beside the chat's picker (context window, prices, plans) and the Compare models
// dialog; screenshots light and dark, desktop and phone. The e2e server has the demo model only.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DESKTOP, launchBrowser, logIn, openPage, PHONE, screenshotPath, signUp, uniqueEmail } from './support/browser.js';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
let browser: Browser;
const email = uniqueEmail('models');
const password = 'correct horse battery staple';
beforeAll(async () => {
  browser = await launchBrowser();
  const w = await openPage(browser);
  await signUp(w.page, email, password);
  await w.context.close();
});
afterAll(async () => {
  await browser?.close();
});

for (const theme of ['light', 'dark'] as const) {
  for (const [device, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    it(`shows the chosen model's details and compares the models: ${theme} theme, ${device}`, async () => {
      const w = await openPage(browser, { viewport, colorScheme: theme, isMobile: device === 'phone', hasTouch: device === 'phone' });
      const { page } = w;
      await logIn(page, email, password);
      const line = page.getByLabel('About Demo (offline)');
      await line.waitFor();
      expect(await line.innerText()).toMatch(/16K context[\s\S]*No charge[\s\S]*Free, Starter, Builder, Advanced/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
      await page.locator('.chat-header').screenshot({ path: screenshotPath(`models-line-${theme}-${device}`) });

      await page.getByRole('button', { name: 'Compare models' }).click();
      const dialog = page.getByRole('dialog', { name: 'Compare models' });
      const row = dialog.getByRole('row', { name: /Demo \(offline\)/ });
      expect(await row.getAttribute('aria-current')).toBe('true');
      expect(await row.getByRole('cell').allInnerTexts()).toEqual(['16,384', '2,048', 'Free', 'Free', 'Free, Starter, Builder, Advanced']);
      await page.waitForTimeout(150);
      await page.screenshot({ path: screenshotPath(`models-compare-${theme}-${device}`) });
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(w.problems).toEqual([]);
      await w.context.close();
    });
  }
}
