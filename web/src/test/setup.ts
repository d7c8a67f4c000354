// Vitest setup for the web project (jsdom): unmount between tests, and fresh storage. Async
// queries wait up to 5 s: the machine may be busy running the other suites at the same time.
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  localStorage.clear();
});
