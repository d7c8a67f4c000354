// Reloading the page, however quickly, keeps the person signed in. Each load trades the refresh
// cookie for a new one; a reload that cuts that request short loses the new cookie, and the next
// load replays the old one (docs/decisions/002: the reuse interval). Before it, about one quick
// reload in six ended the session.
import { expect, it } from 'vitest';
import { browserPageForFile, signUp, uniqueEmail } from './support/browser.js';

const watchedPage = browserPageForFile();

it('stays signed in through reloads that interrupt the session refresh', async () => {
  const w = watchedPage();
  const { page } = w;
  await signUp(page, uniqueEmail('reloader'));
  const signedOutAfter: number[] = [];
  for (let i = 0; i < 15; i++) {
    await page.goto('/');
    await page.reload(); // at once: the refresh that the first load started is usually still in flight
    const composer = page.getByLabel('Message', { exact: true }).or(page.getByRole('heading', { name: 'Log in' }));
    await composer.first().waitFor();
    if (await page.getByRole('heading', { name: 'Log in' }).isVisible()) {
      signedOutAfter.push(i);
      await signUp(page, uniqueEmail('reloader'));
    }
  }
  expect(signedOutAfter, 'reloads after which the session had ended').toEqual([]);
  expect(w.problems).toEqual([]);
});
