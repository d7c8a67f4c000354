// Every main page, in the light and the dark theme, passes axe-core's WCAG 2.1 A and AA rules
// (labels, roles, names, colour contrast, ...), and the chat can be used from the keyboard alone.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, logIn, openPage, sendAndWait, signUp, submitBadSignUp, uniqueEmail } from './support/browser.js';

const e2e = inject('e2e');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; any: { message: string }[] }[];
}

/** axe-core's WCAG 2.1 A/AA violations on the page as it is, one line each. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.any[0]?.message ?? ''}`).join('; ')}`);
}

describe('accessibility', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`every main page passes axe's WCAG 2.1 AA rules, ${theme} theme`, async () => {
      // The app's CSP refuses injected scripts; only axe's own needs the exception.
      const w = await openPage(browser, { colorScheme: theme, bypassCSP: true });
      const { page } = w;
      const found: Record<string, string[]> = {};
      const check = async (name: string) => {
        await page.waitForTimeout(200); // transitions settle, for the contrast rule
        found[name] = await axeViolations(page);
      };

      await page.goto('/login');
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      await check('login');
      await page.goto('/register');
      await submitBadSignUp(page);
      await check('register, with field errors');

      await logIn(page, e2e.adminEmail, e2e.adminPassword);
      await page.getByRole('heading', { name: 'What shall we talk about?' }).waitFor();
      await check('new chat');
      await sendAndWait(page, 'Please give me a long answer.');
      await check('chat, with a reply (code, lists)');
      await page.getByRole('button', { name: 'Share', exact: true }).click();
      const share = page.getByRole('dialog', { name: 'Share this conversation' });
      await share.getByRole('button', { name: 'Create link' }).click();
      const link = await share.getByLabel('Link', { exact: true }).inputValue();
      await check('share dialog, with its link');
      await share.getByRole('button', { name: 'Close' }).click();
      await page.getByRole('link', { name: 'Usage', exact: true }).click();
      await page.getByRole('meter').waitFor();
      await check('usage');
      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.getByRole('heading', { name: 'Change password' }).waitFor();
      await check('settings');
      await page.getByRole('link', { name: 'Teams', exact: true }).click();
      await page.getByRole('heading', { name: 'Create a team' }).waitFor();
      await page.getByLabel('Team name', { exact: true }).fill(`Accessible ${theme}`);
      await page.getByRole('button', { name: 'Create team' }).click();
      await page.getByRole('meter').waitFor();
      await page.getByLabel('Email address', { exact: true }).fill(uniqueEmail('axe-invitee'));
      await page.getByRole('button', { name: 'Invite', exact: true }).click();
      await page.getByLabel('Invitation link', { exact: true }).waitFor();
      await check("a team's page, with an invitation link");
      await page.getByRole('link', { name: 'All teams' }).click();
      await page.getByRole('link', { name: `Accessible ${theme}` }).waitFor();
      await check('teams');
      await page.getByRole('link', { name: 'Admin', exact: true }).click();
      await page.getByRole('heading', { name: 'Totals' }).waitFor();
      await check('admin');

      // The shared page, as someone with no account sees it.
      const reader = await openPage(browser, { colorScheme: theme, bypassCSP: true });
      await reader.page.goto(link);
      await reader.page.locator('.shared-messages .message.assistant').first().waitFor();
      await reader.page.waitForTimeout(200);
      found['shared page'] = await axeViolations(reader.page);
      await reader.context.close();

      expect(Object.fromEntries(Object.entries(found).filter(([, v]) => v.length > 0))).toEqual({});
      await w.context.close();
    });
  }

  it('the chat works from the keyboard alone: reach the composer, send, open the conversation again', async () => {
    const w = await openPage(browser);
    const { page } = w;
    await signUp(page, uniqueEmail('keys'));
    /** The focused element as "tag:name", its name from aria-label, its <label> or its text. */
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el) return '';
        const label = (el as HTMLInputElement).labels?.[0]?.textContent;
        return `${el.tagName.toLowerCase()}:${(el.getAttribute('aria-label') ?? label ?? el.textContent ?? '').trim()}`;
      });
    /** Presses Tab until the focus is on what `matches`, at most 40 times; answers whether it got there. */
    const tabTo = async (matches: RegExp) => {
      for (let i = 0; i < 40; i++) {
        if (matches.test(await focused())) return true;
        await page.keyboard.press('Tab');
      }
      return false;
    };

    await page.locator('body').click({ position: { x: 5, y: 400 } });
    expect(await tabTo(/^textarea:Message$/)).toBe(true);
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 60_000 });
    await page.waitForURL(/\/c\//);
    expect(await page.locator('article.message.user').last().innerText()).toContain('Typed without a mouse');

    // Back to a new chat, then into the conversation again through its sidebar link.
    expect(await tabTo(/^a:.*New chat/)).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'What shall we talk about?' }).waitFor();
    expect(await tabTo(/^a:Typed without a mouse/)).toBe(true);
    await page.keyboard.press('Enter');
    await page.locator('article.message.assistant').first().waitFor();
    expect(w.problems).toEqual([]);
    await w.context.close();
  });
});
