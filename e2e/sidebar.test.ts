// The sidebar of someone with many conversations: the first page shows, more load as the list is
// scrolled to its end (infinite scroll), newest first, and search narrows the whole history.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { baseUrl, launchBrowser, logIn, openPage, uniqueEmail, type Watched } from './support/browser.js';

const PAGE_SIZE = 30; // web/src/features/chat/chat-api.ts
const COUNT = PAGE_SIZE * 2 + 5;

let browser: Browser;
let w: Watched;
const email = uniqueEmail('many');
const password = 'correct horse battery staple';

beforeAll(async () => {
  const post = (path: string, body: object, token?: string) =>
    fetch(`${baseUrl()}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  expect((await post('/api/auth/register', { email, password })).status).toBe(201);
  const { access_token: token } = (await (await post('/api/auth/login', { email, password })).json()) as { access_token: string };
  for (let i = 1; i <= COUNT; i++) {
    const res = await post('/api/conversations', { title: `Topic ${String(i).padStart(3, '0')}` }, token);
    expect(res.status).toBe(201);
  }
  browser = await launchBrowser();
  w = await openPage(browser);
});

afterAll(async () => {
  await browser?.close();
});

it('loads more conversations as the sidebar is scrolled to its end, newest first', async () => {
  const { page } = w;
  await logIn(page, email, password);
  const items = page.locator('li.conversation');
  await items.first().waitFor();
  expect(await items.first().innerText()).toContain(`Topic ${String(COUNT).padStart(3, '0')}`);
  expect(await items.count()).toBe(PAGE_SIZE);

  for (let round = 0; round < 10 && (await items.count()) < COUNT; round++) {
    await items.last().scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
  }
  expect(await items.count()).toBe(COUNT);
  expect(await items.last().innerText()).toContain('Topic 001');
  const titles = await page.locator('li.conversation a.conversation-link').allInnerTexts();
  expect(new Set(titles).size).toBe(COUNT);

  // Search reaches past what was loaded first.
  await page.getByLabel('Search conversations', { exact: true }).fill('Topic 002');
  await expect.poll(() => items.count()).toBe(1);
  expect(await items.first().innerText()).toContain('Topic 002');
  expect(w.problems).toEqual([]);
});
