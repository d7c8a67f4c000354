// Screenshots of each main page, light and dark, desktop and phone, into screenshots/ (ignored by
// git) for a person to look at. Also checks that the pages fit a phone's width and that the theme
// toggle overrides the system's scheme.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DESKTOP,
  explainOnFailure,
  launchBrowser,
  logIn,
  openPage,
  PHONE,
  screenshotPath,
  sendAndWait,
  submitBadSignUp,
  uniqueEmail,
} from './support/browser.js';

const e2e = inject('e2e');

const COMBOS = [
  { theme: 'light', device: 'desktop', viewport: DESKTOP },
  { theme: 'dark', device: 'desktop', viewport: DESKTOP },
  { theme: 'light', device: 'phone', viewport: PHONE },
  { theme: 'dark', device: 'phone', viewport: PHONE },
] as const;

describe('screenshots of the main pages', () => {
  let browser: Browser;
  let conversationPath = '';
  let teamPath = '';

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** No element sticks out sideways: the page needs no horizontal scrolling. */
  const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

  for (const { theme, device, viewport } of COMBOS) {
    it(`${theme} theme, ${device}`, async () => {
      const w = await openPage(browser, { viewport, colorScheme: theme, isMobile: device === 'phone', hasTouch: device === 'phone' });
      const { page } = w;
      const shot = async (name: string) => {
        await page.waitForTimeout(150);
        expect(await fitsWidth(page), `${name} fits the width`).toBe(true);
        await page.screenshot({ path: screenshotPath(`${name}-${theme}-${device}`) });
      };

      await page.goto('/login');
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      await shot('login');
      await page.getByLabel('Email', { exact: true }).fill('not an email');
      await page.getByLabel('Password', { exact: true }).fill('short');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await submitBadSignUp(page);
      await shot('register-errors');

      await logIn(page, e2e.adminEmail, e2e.adminPassword);
      await page.getByRole('heading', { name: 'What shall we talk about?' }).waitFor();
      await shot('chat-new');
      if (!conversationPath) {
        await sendAndWait(page, 'Show me what you can do, in a *short* answer.');
        await page.waitForURL(/\/c\//);
        conversationPath = new URL(page.url()).pathname;
      } else {
        await page.goto(conversationPath);
        await page.locator('article.message.assistant').first().waitFor();
      }
      await page.getByLabel('Message', { exact: true }).fill('A draft, not sent yet');
      await shot('chat');
      // The conversation's title stays readable: wide enough for about 12 characters, and no control overlaps it.
      const title = await page.locator('.chat-title').boundingBox();
      expect(title?.width ?? 0, 'title width').toBeGreaterThan(120);
      const overlaps = await page.evaluate(() => {
        const t = document.querySelector('.chat-title')!.getBoundingClientRect();
        return [...document.querySelectorAll('.chat-header > :not(.chat-title)')].some((el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && r.left < t.right && r.right > t.left && r.top < t.bottom && r.bottom > t.top;
        });
      });
      expect(overlaps, 'a header control overlaps the title').toBe(false);
      await page.getByLabel('Export this conversation', { exact: true }).click();
      await page.getByRole('button', { name: 'JSON (.json)' }).waitFor();
      await shot('chat-export-menu');
      await page.getByLabel('Export this conversation', { exact: true }).click();
      const shareLink = await shareDialogShot(page, shot);
      if (device === 'phone') {
        await page.getByRole('button', { name: 'Show conversations' }).click();
        await page.getByRole('link', { name: 'New chat' }).waitFor();
        await page.waitForTimeout(300);
        await page.screenshot({ path: screenshotPath(`chat-sidebar-${theme}-${device}`) });
        await page.getByRole('button', { name: 'Hide conversations' }).click();
      }

      await page.getByRole('link', { name: 'Usage', exact: true }).click();
      await page.getByRole('meter').waitFor();
      await shot('usage');

      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.getByRole('heading', { name: 'Change password' }).waitFor();
      await shot('settings');

      // Teams: the list, and a team's page as its owner, with an invitation link just made.
      await page.getByRole('link', { name: 'Teams', exact: true }).click();
      await page.getByRole('heading', { name: 'Create a team' }).waitFor();
      if (!teamPath) {
        await page.getByLabel('Team name', { exact: true }).fill('Research and development');
        await page.getByRole('button', { name: 'Create team' }).click();
        await page.getByRole('heading', { name: 'Research and development' }).waitFor();
        teamPath = new URL(page.url()).pathname;
        await page.getByRole('link', { name: 'Teams', exact: true }).click();
      }
      await page.getByRole('link', { name: 'Research and development' }).waitFor();
      await shot('teams');
      await page.goto(teamPath);
      await page.getByRole('meter').waitFor();
      await page.getByRole('region', { name: 'Members (scrolls sideways)' }).waitFor();
      await shot('team');
      const invitee = uniqueEmail(`invitee-${theme}-${device}`);
      await page.getByLabel('Email address', { exact: true }).fill(invitee);
      await page.getByRole('button', { name: 'Invite', exact: true }).click();
      const invitation = (await page.getByLabel('Invitation link', { exact: true }).innerText()).trim();
      await page.getByRole('heading', { name: 'Invite people' }).scrollIntoViewIfNeeded();
      await shot('team-invite');

      await page.getByRole('link', { name: 'Admin', exact: true }).click();
      await page.getByRole('heading', { name: 'Totals' }).waitFor();
      await page.getByRole('row', { name: new RegExp(e2e.adminEmail.replace(/[.+]/g, '\\$&')) }).waitFor();
      await shot('admin');

      // The toggle overrides the system's scheme, and the choice survives a reload.
      const toggle = page.getByRole('button', { name: /theme \(switch to/ });
      const other = theme === 'light' ? 'dark' : 'light';
      for (let i = 0; i < 3 && (await page.evaluate(() => document.documentElement.dataset['theme'] ?? 'system')) !== other; i++) await toggle.click();
      await page.reload();
      await page.getByRole('heading', { name: 'Totals' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe(other);

      expect(w.problems).toEqual([]);
      await w.context.close();

      // The shared page, in a browser with no account.
      const reader = await openPage(browser, { viewport, colorScheme: theme, isMobile: device === 'phone', hasTouch: device === 'phone' });
      await reader.page.goto(shareLink);
      await reader.page.getByRole('note').filter({ hasText: 'read only' }).waitFor();
      await reader.page.locator('.shared-messages .message.assistant').first().waitFor();
      await reader.page.waitForTimeout(150);
      expect(await fitsWidth(reader.page), 'shared page fits the width').toBe(true);
      await reader.page.screenshot({ path: screenshotPath(`shared-${theme}-${device}`), fullPage: true });
      expect(reader.problems).toEqual([]);
      await reader.context.close();

      // The invitation page, for a new account made from the link.
      const guest = await openPage(browser, { viewport, colorScheme: theme, isMobile: device === 'phone', hasTouch: device === 'phone' });
      explainOnFailure(guest, 'the invitation page');
      await guest.page.goto(invitation);
      await guest.page.getByRole('link', { name: 'Create an account' }).click();
      await guest.page.getByLabel('Email', { exact: true }).fill(invitee);
      await guest.page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
      await guest.page.getByRole('button', { name: 'Sign up' }).click();
      await guest.page.getByText('You are now a member of Research and development').waitFor();
      expect(await fitsWidth(guest.page), 'invitation page fits the width').toBe(true);
      await guest.page.screenshot({ path: screenshotPath(`team-join-${theme}-${device}`) });
      expect(guest.problems).toEqual([]);
      await guest.context.close();
    });
  }
});

/** The chat header's Share dialog with its link (made by the first run, shown again by the others); answers the link. */
async function shareDialogShot(page: Page, shot: (name: string) => Promise<void>): Promise<string> {
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Share this conversation' });
  const create = dialog.getByRole('button', { name: 'Create link' });
  const input = dialog.getByLabel('Link', { exact: true });
  await create.or(input).waitFor();
  if (await create.isVisible()) await create.click();
  await input.waitFor();
  await shot('share-dialog');
  const link = await input.inputValue();
  await dialog.getByRole('button', { name: 'Close' }).click();
  return link;
}
