// The rough edges a new user met (issue 15), each driven in Chromium, with screenshots of what
// changed in both themes at desktop and phone sizes (into screenshots/, named rough-*).
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DESKTOP, launchBrowser, logIn, openPage, PHONE, screenshotPath, sendAndWait, signUp, uniqueEmail } from './support/browser.js';

const e2e = inject('e2e');
const PASSWORD = 'correct horse battery staple';

type Theme = 'light' | 'dark';
type Device = 'desktop' | 'phone';

/** One screenshot, in this theme at this size, with `subject` scrolled into view; the page must fit the width. */
async function shoot(page: Page, name: string, theme: Theme, device: Device, subject?: Locator): Promise<void> {
  await page.emulateMedia({ colorScheme: theme });
  await page.setViewportSize(device === 'phone' ? PHONE : DESKTOP);
  await subject?.scrollIntoViewIfNeeded();
  await page.waitForTimeout(150);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${name} fits the ${device} width`).toBe(true);
  await page.screenshot({ path: screenshotPath(`rough-${name}-${theme}-${device}`) });
}

/** Screenshots of what the page shows now, light and dark, desktop and phone; back to light desktop after. */
async function shootAll(page: Page, name: string, subject?: Locator): Promise<void> {
  for (const theme of ['light', 'dark'] as const) for (const device of ['desktop', 'phone'] as const) await shoot(page, name, theme, device, subject);
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

  it("gives a sidebar title the row's width, and each row two Tab stops; its actions sit in one menu", async () => {
    const w = await openPage(browser);
    const { page } = w;
    await signUp(page, uniqueEmail('rows'), PASSWORD);
    const long = 'A fairly long question about our billing table migration';
    await sendAndWait(page, long);
    await page.waitForURL(/\/c\//);
    await sendAndWait(page, 'And one more thing.');
    await page.getByRole('link', { name: 'New chat' }).click();
    await sendAndWait(page, 'Second conversation');
    await page.waitForURL(/\/c\//);

    const rows = page.locator('li.conversation');
    await rows.nth(1).waitFor();
    await page.getByLabel('Message', { exact: true }).focus(); // the pointer rests nowhere near the list
    const older = rows.nth(1);
    // Not hovered: the title spans (nearly) the whole row, not half of it.
    const [title, row] = await Promise.all([older.locator('.conversation-title').boundingBox(), older.boundingBox()]);
    expect(title!.width / row!.width).toBeGreaterThan(0.85);
    expect(await older.locator('.conversation-title').innerText()).toBe(long);

    // Two Tab stops a row: its link, then its actions button, then the next row's link.
    const newest = rows.nth(0).locator('a.conversation-link');
    await newest.focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Actions for Second conversation');
    await page.keyboard.press('Tab');
    expect(await older.locator('a.conversation-link').evaluate((el) => el === document.activeElement)).toBe(true);

    // The menu from the keyboard: Enter opens it on its first item, the arrows move, Enter picks.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: `Actions for ${long}` });
    await menu.waitFor();
    expect(await menu.getByRole('menuitem').allInnerTexts()).toEqual(['Rename', 'Pin', 'Archive', 'Export as Markdown', 'Export as JSON', 'Delete…']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('li.conversation', { hasText: long }).getByText('Pinned:').waitFor({ state: 'attached' });
    // The pinned row moves to the top; the focus stays on its actions button.
    await page.waitForFunction((name) => document.activeElement?.getAttribute('aria-label') === name, `Actions for ${long}`);
    expect(await rows.nth(0).innerText()).toContain(long);

    // Escape closes the menu and gives the focus back to its button.
    await page.keyboard.press('Enter');
    await menu.waitFor();
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Actions for ${long}`);

    // How the rows and the open menu look: beside the chat on a desktop, in the drawer on a phone.
    for (const theme of ['light', 'dark'] as const) {
      await page.getByLabel('Message', { exact: true }).focus();
      await shoot(page, 'sidebar-rows', theme, 'desktop');
      // As a mouse does it: the button shows when the pointer is over the row.
      await page.locator('li.conversation', { hasText: long }).hover();
      await page.getByRole('button', { name: `Actions for ${long}` }).click();
      await shoot(page, 'sidebar-menu', theme, 'desktop');
      await page.keyboard.press('Escape');
      await page.setViewportSize(PHONE);
      await page.getByRole('button', { name: 'Show conversations' }).click();
      await page.waitForTimeout(300);
      await shoot(page, 'sidebar-rows', theme, 'phone');
      await page.getByRole('button', { name: `Actions for ${long}` }).click();
      await shoot(page, 'sidebar-menu', theme, 'phone');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Hide conversations' }).click();
      await page.setViewportSize(DESKTOP);
    }
    expect(w.problems).toEqual([]);
    await w.context.close();
  });

  it("lets a phone scroll the usage by model from the keyboard too, and lists no month before the account's first", async () => {
    const w = await openPage(browser, { viewport: PHONE, isMobile: true, hasTouch: true });
    const { page } = w;
    await signUp(page, uniqueEmail('phone'), PASSWORD);
    await sendAndWait(page, 'Count my tokens.');
    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    const scroller = page.getByRole('region', { name: 'Tokens by model (scrolls sideways)' });
    await scroller.waitFor();
    const sizes = await scroller.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, tabIndex: el.tabIndex }));
    expect(sizes.tabIndex).toBe(0);
    expect(sizes.scroll).toBeGreaterThan(sizes.client); // the table is wider than a phone...
    await scroller.focus();
    for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => (document.querySelector('.model-table')?.parentElement?.scrollLeft ?? 0) > 0);
    expect(await scroller.getByRole('columnheader', { name: 'Cost' }).isVisible()).toBe(true); // ...and all of it can be reached
    await shootAll(page, 'usage-by-model', scroller);

    // A new account: this month only.
    const months = await page.getByLabel('Month').locator('option').allInnerTexts();
    expect(months).toEqual([new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date())]);
    expect(w.problems).toEqual([]);
    await w.context.close();
  });

  it('stops a reply and leaves the message editor with Escape; shortcuts for a new chat, the message box and their list', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await signUp(page, uniqueEmail('keys'), PASSWORD);
    const box = page.getByLabel('Message', { exact: true });
    const isFocused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);

    // Escape in the message box stops the reply being written.
    await box.fill('Please write a long answer, with many words in it.');
    await box.press('Enter');
    await page.getByRole('button', { name: 'Stop the reply' }).waitFor();
    await page.locator('article.message.assistant').last().getByText(/\w/).first().waitFor();
    await box.press('Escape');
    await page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 60_000 });
    await page.locator('article.message.assistant').last().getByText('Stopped').waitFor();
    await page.waitForURL(/\/c\//);

    // And from elsewhere on the page.
    await box.fill('Another long answer, please.');
    await box.press('Enter');
    await page.getByRole('button', { name: 'Stop the reply' }).waitFor();
    await page.locator('h1.chat-title').click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('article.message.assistant').last().innerText()).toContain('Stopped');

    // Escape leaves the message editor, and the focus is back on its Edit button.
    const edit = page.getByRole('button', { name: 'Edit and resend this message' }).first();
    await edit.click();
    const editor = page.getByLabel('Edit your message').first();
    await editor.waitFor();
    await editor.press('Escape');
    await editor.waitFor({ state: 'detached' });
    expect(await isFocused(edit)).toBe(true);

    // Shift+Esc: to the message box, from anywhere.
    await page.locator('h1.chat-title').click();
    await page.keyboard.press('Shift+Escape');
    expect(await isFocused(box)).toBe(true);

    // Ctrl+Shift+O: a new chat, with the focus in its message box.
    await page.getByRole('link', { name: 'Usage', exact: true }).click();
    await page.getByRole('meter').waitFor();
    await page.keyboard.press('Control+Shift+O');
    await page.getByRole('heading', { name: 'What shall we talk about?' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'composer-input');

    // "?" outside a text field, or Ctrl+/ anywhere: the list of shortcuts; closing it gives the focus back.
    await box.fill('What is a question mark?');
    expect(await box.inputValue()).toBe('What is a question mark?');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.keyboard.press('Control+/');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    const listed = await help.innerText();
    for (const what of ['Start a new chat', 'Go to the message box', 'Stop the reply being written', 'Show these shortcuts']) expect(listed).toContain(what);
    await shootAll(page, 'shortcuts-dialog');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    expect(await isFocused(box)).toBe(true);
    await page.getByRole('link', { name: 'Settings', exact: true }).focus();
    await page.keyboard.press('Shift+?');
    await help.waitFor();
    await help.getByRole('button', { name: 'Close' }).click();
    expect(await isFocused(page.getByRole('link', { name: 'Settings', exact: true }))).toBe(true);
    expect(w.problems).toEqual([]);
    await w.context.close();
  });

  it('logs no 401 on a signed-out page load, and still restores a session on reload', async () => {
    const w = await openPage(browser);
    const { page } = w;
    const refused: string[] = [];
    const consoleErrors: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 401) refused.push(new URL(r.url()).pathname);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto('/');
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.goto('/register');
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    expect(refused).toEqual([]);
    expect(consoleErrors).toEqual([]);

    await signUp(page, uniqueEmail('reload'), PASSWORD);
    expect((await w.context.cookies()).find((c) => c.name === 'qc_signed_in')).toMatchObject({ value: '1', httpOnly: false });
    await page.reload();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect((await w.context.cookies()).find((c) => c.name === 'qc_signed_in')).toBeUndefined();
    await page.reload();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(refused).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await w.context.close();
  });

  it('shows the API docs at /docs with a clean console (no CSP violation)', async () => {
    const w = await openPage(browser);
    const { page } = w;
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text());
    });
    await page.goto('/docs');
    await page.getByText('Quota Chat API').first().waitFor();
    await page.locator('.opblock').first().waitFor();
    await page.waitForTimeout(500);
    expect(consoleErrors).toEqual([]);
    expect(w.problems).toEqual([]);
    await w.context.close();
  });
});
