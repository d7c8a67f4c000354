// One person's way through the app in a real browser, against the real server and the demo model:
// sign up, log in, chat with a streaming reply, stop a reply, reload, rename and delete, usage.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, logIn, openPage, sendAndWait, signUp, uniqueEmail, type Watched } from './support/browser.js';

describe('the chat, in Chromium', () => {
  let browser: Browser;
  let w: Watched;
  let page: Page;
  const email = uniqueEmail('ada');
  let password = 'correct horse battery staple';
  let conversationPath = '';

  beforeAll(async () => {
    browser = await launchBrowser();
    w = await openPage(browser);
    page = w.page;
  });

  afterAll(async () => {
    await browser?.close();
  });

  const lastReply = () => page.locator('article.message.assistant').last();
  const meterValue = async () => Number(await page.getByRole('meter').getAttribute('aria-valuenow'));

  it('signs up, logs out, refuses a wrong password in plain words, and logs in', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');

    await signUp(page, email, password);
    expect(await page.getByRole('button', { name: 'Log out' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();

    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Email or password is incorrect');

    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByLabel('Message', { exact: true }).waitFor();
    // Only the free tier's model is offered.
    await page.getByLabel('Model', { exact: true }).locator('option').first().waitFor({ state: 'attached' });
    expect(await page.getByLabel('Model', { exact: true }).locator('option').allTextContents()).toEqual(['Demo (offline)']);
  });

  it('streams a reply in as it is written, rendered as markdown', async () => {
    await page.getByLabel('Message', { exact: true }).fill('Hello, demo model!');
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.getByRole('button', { name: 'Stop the reply' }).waitFor();

    const seen: number[] = [];
    while (seen.length < 400 && (await page.getByRole('button', { name: 'Stop the reply' }).isVisible())) {
      // The reply's text only: not its status line or actions, which change as the stream starts.
      seen.push((await lastReply().locator('.markdown').innerText()).length);
      await page.waitForTimeout(25);
    }
    await page.getByRole('button', { name: 'Send message' }).waitFor();
    const lengths = [...new Set(seen.filter((n) => n > 0))];
    expect(lengths.length, `reply lengths seen while streaming: ${seen.join(',')}`).toBeGreaterThanOrEqual(3);
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));

    const reply = lastReply();
    expect(await reply.innerText()).toContain('"Hello, demo model!"');
    expect(await reply.locator('strong', { hasText: 'demo model' }).count()).toBe(1);
    expect(await reply.locator('li').count()).toBeGreaterThanOrEqual(3);
    expect(await reply.locator('code').count()).toBeGreaterThan(0);

    // The new conversation has its own address and is in the sidebar.
    await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
    conversationPath = new URL(page.url()).pathname;
    await page.locator(`a.conversation-link[href="${conversationPath}"]`).waitFor();
  });

  it('stops a long reply midway and keeps the partial reply, marked stopped', async () => {
    await page.getByLabel('Message', { exact: true }).fill('Please give me a long answer.');
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.waitForFunction(() => {
      const all = document.querySelectorAll('article.message.assistant');
      return (all[all.length - 1]?.textContent?.length ?? 0) > 200 && all.length >= 2;
    });
    await page.getByRole('button', { name: 'Stop the reply' }).click();
    await lastReply().getByText('Stopped').waitFor();
    const partial = (await lastReply().locator('.markdown').innerText()).trim();
    expect(partial).not.toContain('That is the end of this long demo reply');
    await page.waitForTimeout(400);
    expect((await lastReply().locator('.markdown').innerText()).trim()).toBe(partial);

    // What the server kept is the same partial reply, with the same status.
    await page.reload();
    await lastReply().getByText('Stopped').waitFor();
    const stored = (await lastReply().locator('.markdown').innerText()).trim();
    expect(stored.startsWith(partial.slice(0, 150))).toBe(true);
    expect(stored).not.toContain('That is the end of this long demo reply');
  });

  it('regenerates the last reply and edits a message to send it again, keeping the earlier versions', async () => {
    await lastReply().getByRole('button', { name: 'Regenerate this reply' }).click();
    await page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 60_000 });
    expect(await lastReply().innerText()).toContain('That is the end of this long demo reply');
    expect(await page.locator('article.message').count()).toBe(4);
    // The stopped reply is kept as the first version (e2e/versions.test.ts switches between them).
    await lastReply().getByRole('group', { name: 'Version 2 of 2 of this reply' }).waitFor();

    await page.locator('article.message.user').last().getByRole('button', { name: 'Edit and resend this message' }).click();
    await page.getByLabel('Edit your message', { exact: true }).fill('Actually, a short one.');
    await page.getByRole('button', { name: 'Save and send' }).click();
    await page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 60_000 });
    expect(await lastReply().innerText()).toContain('"Actually, a short one."');
    expect(await page.locator('article.message').count()).toBe(4);
    await page.locator('article.message.user').last().getByRole('group', { name: 'Version 2 of 2 of this message' }).waitFor();
  });

  it('finds the conversation again after a reload', async () => {
    await page.goto('/');
    await page.reload();
    const link = page.locator(`a.conversation-link[href="${conversationPath}"]`);
    await link.click();
    await page.waitForURL(`**${conversationPath}`);
    await page.locator('article.message.user .bubble', { hasText: 'Hello, demo model!' }).waitFor();
    expect(await page.locator('article.message').count()).toBe(4);
  });

  it('keeps the typed draft across a reload and an ended session', async () => {
    await page.getByLabel('Message', { exact: true }).fill('A thought I have not sent yet');
    await page.reload();
    await page.getByLabel('Message', { exact: true }).waitFor();
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('A thought I have not sent yet');

    // The session ends (its cookie is gone): back to log in, then back to the draft.
    await w.context.clearCookies();
    await page.reload();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`**${conversationPath}`);
    await page.getByLabel('Message', { exact: true }).waitFor();
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('A thought I have not sent yet');
    await page.getByLabel('Message', { exact: true }).fill('');
  });

  it('shows usage moving as the user chats', async () => {
    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await page.getByRole('meter').waitFor();
    const before = await meterValue();
    expect(before).toBeGreaterThan(0);
    expect(await page.getByRole('row', { name: /^demo\b/ }).count()).toBe(1);
    expect(await page.getByText(/Resets on/).count()).toBe(1);

    await page.getByRole('link', { name: 'Chat', exact: true }).click();
    await sendAndWait(page, 'One more, to move the meter.');
    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await page.getByRole('meter').waitFor();
    await expect.poll(meterValue, { timeout: 10_000 }).toBeGreaterThan(before);
  });

  it('exports the conversation as Markdown and as JSON', async () => {
    await page.goto(conversationPath);
    await page.locator('article.message.assistant').first().waitFor();
    const download = async (label: string) => {
      await page.getByLabel('Export this conversation', { exact: true }).click();
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: label }).click()]);
      return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
    };
    const markdown = await download('Markdown (.md)');
    expect(markdown.name).toMatch(/\.md$/);
    expect(markdown.text).toContain('Hello, demo model!');
    const json = await download('JSON (.json)');
    expect(json.name).toMatch(/\.json$/);
    const parsed = JSON.parse(json.text) as { messages: { role: string; content: string }[] };
    expect(parsed.messages.map((m) => m.role).slice(0, 2)).toEqual(['user', 'assistant']);
    expect(parsed.messages[0]!.content).toBe('Hello, demo model!');
  });

  it('renames, pins and deletes a conversation (after confirming)', async () => {
    await page.goto(conversationPath);
    const item = page.locator('li.conversation', { has: page.locator(`a[href="${conversationPath}"]`) });
    /** Opens the row's actions menu and picks one. */
    const choose = async (title: string, action: string) => {
      await item.hover(); // the button shows when the pointer is over the row
      await item.getByRole('button', { name: `Actions for ${title}` }).click();
      await page
        .getByRole('menu', { name: `Actions for ${title}` })
        .getByRole('menuitem', { name: action, exact: true })
        .click();
    };
    await item.hover();
    await item.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    await page.getByLabel('New title', { exact: true }).fill('Renamed in the browser');
    await page.getByLabel('New title', { exact: true }).press('Enter');
    await item.getByText('Renamed in the browser').waitFor();
    await page.getByRole('heading', { name: 'Renamed in the browser' }).waitFor();

    await choose('Renamed in the browser', 'Pin');
    await item.getByText('Pinned:').waitFor({ state: 'attached' });

    // Archived: out of the list, in the archived view, and back again.
    await choose('Renamed in the browser', 'Archive');
    await item.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Show archived' }).click();
    await choose('Renamed in the browser', 'Unarchive');
    await page.getByText('No archived conversations.').waitFor();
    await page.getByRole('button', { name: 'Showing archived' }).click();
    await item.waitFor();

    // Search finds it by title.
    await page.getByLabel('Search conversations', { exact: true }).fill('Renamed in');
    await item.waitFor();
    await page.getByLabel('Search conversations', { exact: true }).fill('');

    await choose('Renamed in the browser', 'Delete…');
    const dialog = page.getByRole('dialog', { name: 'Delete this conversation?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await item.count()).toBe(1);
    await choose('Renamed in the browser', 'Delete…');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await item.waitFor({ state: 'detached' });
    await page.waitForURL((url) => url.pathname === '/');
    await page.goto(conversationPath);
    await page.getByRole('heading', { name: 'Conversation not found' }).waitFor();
  });

  it('changes the password and logs in with the new one', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Current password', { exact: true }).fill(password);
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await page.getByLabel('Repeat the new password', { exact: true }).fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
    password = 'a brand new passphrase';
    await page.getByRole('button', { name: 'Log out' }).click();
    await logIn(page, email, password);
  });

  it('ran without script errors or Content-Security-Policy violations', () => {
    expect(w.problems).toEqual([]);
    expect(w.dialogs).toEqual([]);
  });
});
