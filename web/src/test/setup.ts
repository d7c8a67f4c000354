// Vitest setup for the web project (jsdom): unmount between tests, and fresh storage. Async
// queries wait up to 5 s: the machine may be busy running the other suites at the same time.
// Each test starts with the server's signed-in hint set, as a signed-in browser has it, so that
// the session store tries its refresh (lib/session.ts); a test of a signed-out browser clears it.
import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';

configure({ asyncUtilTimeout: 5000 });

beforeEach(() => {
  document.cookie = 'qc_signed_in=1; path=/';
});

afterEach(() => {
  cleanup();
  localStorage.clear();
});
