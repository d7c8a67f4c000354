// Shared links in a real browser (docs/decisions/022): the owner shares a conversation from the
// chat header, a browser with no cookies reads it at /s/<token> with nothing else of the owner's,
// sees only what was shared until the owner updates the link, and a deleted link stops working.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, sendAndWait, signUp, uniqueEmail, type Watched } from './support/browser.js';

describe('shared links, in Chromium', () => {
  let browser: Browser;
  let owner: Watched;
  let reader: Watched;
  let link = '';
  const email = uniqueEmail('sharer');

  beforeAll(async () => {
    browser = await launchBrowser();
    owner = await openPage(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
    reader = await openPage(browser);
  });

  afterAll(async () => {
    await browser?.close();
  });

  const dialog = (page: Page) => page.getByRole('dialog', { name: 'Share this conversation' });
  const readerMessages = () => reader.page.locator('.shared-messages > .message');

  it('the owner creates a link from the chat header and copies it', async () => {
    const { page } = owner;
    await signUp(page, email);
    await sendAndWait(page, 'Secret plans for the weekend');
    await page.waitForURL(/\/c\//);
    await page.getByRole('link', { name: 'New chat' }).click();
    await sendAndWait(page, 'How do tides work?');
    await page.waitForURL(/\/c\//);

    await page.getByRole('button', { name: 'Share' }).click();
    await dialog(page).getByRole('button', { name: 'Create link' }).click();
    const input = dialog(page).getByLabel('Link', { exact: true });
    await input.waitFor();
    link = await input.inputValue();
    expect(link).toMatch(/\/s\/[A-Za-z0-9_-]{32}$/);
    await dialog(page).getByRole('button', { name: 'Copy' }).click();
    await dialog(page).getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await dialog(page).getByRole('button', { name: 'Close' }).click();
  });

  it('a browser with no account reads the conversation, and nothing else of the owner', async () => {
    expect(await reader.context.cookies()).toEqual([]);
    const { page } = reader;
    await page.goto(link);
    await page.getByRole('note').filter({ hasText: 'Shared conversation — read only' }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('How do tides work?');
    await expect.poll(() => readerMessages().count()).toBe(2);
    expect(await readerMessages().first().textContent()).toBe('How do tides work?');
    // The reply goes through the chat's markdown renderer.
    expect((await readerMessages().nth(1).locator('.markdown').innerText()).length).toBeGreaterThan(20);
    expect(new URL(page.url()).pathname).toMatch(/^\/s\//);
    await page.getByRole('link', { name: 'Sign up', exact: true }).waitFor();

    const body = await page.locator('body').innerText();
    expect(body).not.toContain('Secret plans');
    expect(body).not.toContain(email);
    expect(await page.locator('.sidebar, nav[aria-label="Main"], #composer-input').count()).toBe(0);
    expect(await page.getByRole('link', { name: /Usage|Settings|New chat/ }).count()).toBe(0);
    expect(reader.problems).toEqual([]);
  });

  it('shows what was shared until the owner updates the link', async () => {
    await sendAndWait(owner.page, 'And what about the moon?');
    await reader.page.reload();
    await reader.page.getByRole('note').waitFor();
    expect(await readerMessages().count()).toBe(2);

    await owner.page.getByRole('button', { name: 'Share' }).click();
    await dialog(owner.page).getByText('newer messages are not shared').waitFor();
    await dialog(owner.page).getByRole('button', { name: 'Update link' }).click();
    await dialog(owner.page).getByText('Anyone with the link can read it').waitFor();
    expect(await dialog(owner.page).getByLabel('Link', { exact: true }).inputValue()).toBe(link);

    await reader.page.reload();
    await expect.poll(() => readerMessages().count()).toBe(4);
    expect(await readerMessages().nth(2).textContent()).toBe('And what about the moon?');
  });

  it('a deleted link shows the reader a not-found page', async () => {
    await dialog(owner.page).getByRole('button', { name: 'Delete link' }).click();
    await dialog(owner.page).getByRole('button', { name: 'Create link' }).waitFor();
    await reader.page.reload();
    await reader.page.getByRole('heading', { name: 'This link does not work' }).waitFor();
    expect(await readerMessages().count()).toBe(0);
    expect(reader.problems).toEqual([]);
    expect(owner.problems).toEqual([]);
  });
});
