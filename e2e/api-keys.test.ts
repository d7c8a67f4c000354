// A developer's way in: create a personal API key in Settings, call the OpenAI-compatible API with
// the official OpenAI client, see the tokens in Usage and the key marked as used, revoke it.
import OpenAI from 'openai';
import { expect, it } from 'vitest';
import { baseUrl, browserPageForFile, screenshotPath, signUp, uniqueEmail } from './support/browser.js';

const watchedPage = browserPageForFile();

it('creates a key in Settings, chats through the OpenAI client with it, sees the usage, and revokes it', async () => {
  const w = watchedPage();
  const { page } = w;
  await signUp(page, uniqueEmail('developer'));
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByText('No API keys yet.').waitFor();
  await page.getByLabel('Key name', { exact: true }).fill('e2e script');
  await page.getByRole('button', { name: 'Create key' }).click();
  const apiKey = (await page.getByLabel('New API key', { exact: true }).innerText()).trim();
  expect(apiKey).toMatch(/^qc_[\w-]{43}$/);
  await page
    .getByRole('row', { name: /e2e script/ })
    .getByText('Never')
    .waitFor();
  await page.getByRole('region', { name: 'API keys' }).screenshot({ path: screenshotPath('settings-api-keys-light-desktop') });

  const client = new OpenAI({ baseURL: `${baseUrl()}/v1`, apiKey, maxRetries: 0 });
  expect((await client.models.list()).data.map((m) => m.id)).toEqual(['demo']);
  const completion = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hello from a program' }] });
  expect(completion.choices[0]?.message.content).toContain('Hello from a program');
  let streamed = '';
  let streamedTokens = 0;
  const stream = await client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'And once more, streamed' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    streamed += chunk.choices[0]?.delta.content ?? '';
    streamedTokens += chunk.usage?.total_tokens ?? 0;
  }
  expect(streamed).toContain('And once more, streamed');
  expect(streamedTokens).toBeGreaterThan(0);

  // The calls count like chats: the meter shows exactly their tokens.
  await page.getByRole('link', { name: 'Usage', exact: true }).click();
  await page.getByRole('meter').waitFor();
  expect(Number(await page.getByRole('meter').getAttribute('aria-valuenow'))).toBe(completion.usage!.total_tokens + streamedTokens);

  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const row = page.getByRole('row', { name: /e2e script/ });
  await row.waitFor();
  await expect.poll(() => row.getByText('Never').count()).toBe(0); // once the list is fetched again
  await row.getByRole('button', { name: 'Revoke e2e script' }).click();
  await page.getByRole('dialog', { name: 'Revoke this key?' }).getByRole('button', { name: 'Revoke' }).click();
  await page.getByText('No API keys yet.').waitFor();
  await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  expect(w.problems).toEqual([]);
});
