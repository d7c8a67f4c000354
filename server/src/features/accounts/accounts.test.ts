// One app per database for every account suite (building one costs seconds on PGlite): a real SMTP
// server in this process receives the app's mail; verification is required, as it is the stricter.
import { afterAll, beforeAll, describe } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { startSmtpInbox } from '../../../test/smtp-inbox.js';
import { buildTestApp } from '../../../test/test-app.js';
import { sessionCases } from '../auth/sessions.cases.js';
import type { AccountsContext } from './accounts.test-support.js';
import { deleteAccountCases } from './delete-account.cases.js';
import { passwordResetCases } from './password-reset.cases.js';
import { verificationCases } from './verification.cases.js';

describe.each(testDbKinds())('accounts on %s', (kind) => {
  const ctx = { clock: { ms: Date.now() } } as AccountsContext;
  beforeAll(async () => {
    ctx.inbox = await startSmtpInbox();
    ctx.t = await buildTestApp(kind, {
      now: () => new Date(ctx.clock.ms),
      env: {
        SMTP_URL: ctx.inbox.url,
        MAIL_FROM: 'Quota Chat <accounts@chat.example>',
        PUBLIC_URL: 'https://chat.example',
        PASSWORD_RESET_TTL_MINUTES: '30',
        REQUIRE_EMAIL_VERIFICATION: 'true',
      },
    });
  });
  afterAll(async () => {
    await ctx.t.close();
    await ctx.inbox.close();
  });

  describe('password reset by email', () => passwordResetCases(ctx));
  describe('email verification', () => verificationCases(ctx));
  describe('sessions', () => sessionCases(ctx));
  describe('deleting one’s own account', () => deleteAccountCases(ctx));
});
