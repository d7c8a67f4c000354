// Custom instructions: a default set once in Settings starts each new conversation and reaches
// the model; a conversation's own instructions are changed from the chat's header. Screenshots of
// both, light and dark, desktop and phone.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DESKTOP, launchBrowser, logIn, openPage, PHONE, screenshotPath, sendAndWait, signUp, uniqueEmail } from './support/browser.js';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const email = uniqueEmail('instructions');
const password = 'correct horse battery staple';
const lastReply = (page: Page) => page.locator('article.message.assistant').last().innerText();

it('uses the default from Settings in a new chat, and the instructions changed in the chat from then on', async () => {
  const w = await openPage(browser);
  const { page } = w;
  await signUp(page, email, password);

  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const box = page.getByLabel('Default instructions for new conversations');
  await box.fill('Answer like a pirate.');
  await page.getByRole('button', { name: 'Save instructions' }).click();
  await page.getByText('Saved. New conversations start with these instructions.').waitFor();

  await page.getByRole('link', { name: 'Chat', exact: true }).click();
  await sendAndWait(page, 'Hello there');
  await page.waitForURL(/\/c\//);
  expect(await lastReply(page)).toContain('this system prompt: "Answer like a pirate."');

  await page.getByRole('button', { name: 'Instructions', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Instructions for this conversation' });
  const prompt = dialog.getByLabel('System prompt');
  expect(await prompt.inputValue()).toBe('Answer like a pirate.');
  await prompt.fill('Answer like a poet.');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await sendAndWait(page, 'And now?');
  expect(await lastReply(page)).toContain('this system prompt: "Answer like a poet."');

  // After a reload the conversation keeps its own; the default is unchanged.
  await page.reload();
  await page.getByRole('button', { name: 'Instructions', exact: true }).click();
  expect(await dialog.getByLabel('System prompt').inputValue()).toBe('Answer like a poet.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  expect(await page.getByLabel('Default instructions for new conversations').inputValue()).toBe('Answer like a pirate.');

  // Past 20,000 characters the box says so and Save is off (the server refuses it too: 422).
  await page.getByLabel('Default instructions for new conversations').fill('x'.repeat(20_001));
  await page.getByText('Shorten the instructions to at most 20,000 characters.').waitFor();
  expect(await page.getByRole('button', { name: 'Save instructions' }).isDisabled()).toBe(true);
  expect(w.problems).toEqual([]);
  await w.context.close();
});

for (const theme of ['light', 'dark'] as const) {
  for (const [device, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    it(`screenshots: ${theme} theme, ${device}`, async () => {
      const w = await openPage(browser, { viewport, colorScheme: theme, isMobile: device === 'phone', hasTouch: device === 'phone' });
      const { page } = w;
      await logIn(page, email, password);
      await page.goto('/settings');
      const section = page.getByRole('region', { name: 'Custom instructions' });
      await section.getByLabel('Default instructions for new conversations').waitFor();
      await section.scrollIntoViewIfNeeded();
      await section.screenshot({ path: screenshotPath(`instructions-settings-${theme}-${device}`) });

      await page.goto('/');
      await page.getByRole('button', { name: 'Instructions', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Instructions for this conversation' });
      expect(await dialog.getByLabel('System prompt').inputValue()).toBe('Answer like a pirate.');
      await page.waitForTimeout(150);
      await page.screenshot({ path: screenshotPath(`instructions-dialog-${theme}-${device}`) });
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
      expect(w.problems).toEqual([]);
      await w.context.close();
    });
  }
}
