import type { SmtpInbox } from '../../../test/smtp-inbox.js';
import type { TestApp } from '../../../test/test-app.js';

/** What accounts.test.ts shares with its suites: filled in its beforeAll. */
export interface AccountsContext {
  t: TestApp;
  inbox: SmtpInbox;
  /** The app's clock; a suite that moves it puts it back. */
  clock: { ms: number };
}
