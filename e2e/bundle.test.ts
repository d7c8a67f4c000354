// The production build stays lean: what a visitor downloads before the log-in page, and before the
// chat, within budgets (gzip, as the server sends it). Global setup has just built web/dist.
// The numbers themselves are in `npm run bench` (bench/web-bundle.ts).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureWebBundle } from '../bench/web-bundle.js';
import { ROOT } from './support/server.js';

const KiB = 1024;

describe('the production bundle', () => {
  const bundle = measureWebBundle(join(ROOT, 'web/dist'));

  it('loads the log-in page with under 100 KiB of gzipped JavaScript', () => {
    expect(bundle.firstLoad.gzipBytes).toBeLessThan(100 * KiB);
  });

  it('keeps the chat (AI SDK, markdown) and the code highlighter out of the first load', () => {
    // Every page but log-in is its own lazy chunk; new pages (plans, the mailed-link pages) join them.
    expect(Object.keys(bundle.lazy)).toEqual(
      expect.arrayContaining(['admin-page', 'chat-page', 'rehype-highlight', 'settings-page', 'usage-page', 'plans-page']),
    );
    expect(bundle.firstLoad.files.join(' ')).not.toMatch(/chat-page|rehype-highlight/);
  });

  it('shows the chat with under 225 KiB of gzipped JavaScript in all', () => {
    expect(bundle.firstLoad.gzipBytes + bundle.lazy['chat-page']!.gzipBytes).toBeLessThan(225 * KiB);
  });
});
