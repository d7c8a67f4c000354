// Helpers for the browser tests: a watched page, sign-up and log-in, screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, inject, onTestFailed } from 'vitest';
import { launchBrowser } from './chromium.js';
import { ROOT } from './server.js';

export { launchBrowser };

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export function baseUrl(): string {
  return inject('e2e').baseUrl;
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions, console errors (CSP violations among them) and dialogs seen so far. */
  problems: string[];
  dialogs: string[];
}

export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Watched> {
  const context = await browser.newContext({ baseURL: baseUrl(), viewport: DESKTOP, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // A 4xx the app handles (a refused refresh, the quota) logs "Failed to load resource": expected.
    if (msg.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text()))
      problems.push(`console: ${msg.text()}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { context, page, problems, dialogs };
}

/**
 * If the running test fails, prints where the page was and what it showed: a locator's timeout
 * says only what it waited for, and a failure seen once in CI is otherwise not understood.
 */
export function explainOnFailure(w: Watched, name: string): void {
  onTestFailed(async () => {
    const text = await w.page
      .locator('body')
      .innerText({ timeout: 2000 })
      .catch((err: unknown) => `(unreadable: ${(err as Error).message})`);
    console.error(`${name} at ${w.page.url()} showed:\n${text.slice(0, 1500)}\nproblems: ${JSON.stringify(w.problems)}`);
  });
}

/** A browser and one watched page for the tests of a file: opened before them, closed after. */
export function browserPageForFile(options: BrowserContextOptions = {}): () => Watched {
  let browser: Browser | undefined;
  let watched: Watched | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
    watched = await openPage(browser, options);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!watched) throw new Error('the browser is not open yet');
    return watched;
  };
}

let emailCounter = 0;
export function uniqueEmail(prefix: string): string {
  emailCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${emailCounter}@example.com`;
}

export async function signUp(page: Page, email: string, password = 'correct horse battery staple'): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByLabel('Message', { exact: true }).waitFor();
}

/** On the sign-up page: submits a bad email and a short password, and waits for the field errors. */
export async function submitBadSignUp(page: Page): Promise<void> {
  await page.getByRole('heading', { name: 'Create your account' }).waitFor();
  await page.getByLabel('Email', { exact: true }).fill('someone@example');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByText('Use at least 8 characters.').waitFor();
}

export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** Sends a message from the composer and waits for its reply to finish. */
export async function sendAndWait(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send message' }).click();
  await page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 60_000 });
}

export function screenshotPath(name: string): string {
  const dir = join(ROOT, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
