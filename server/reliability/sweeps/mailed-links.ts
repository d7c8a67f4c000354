// Routes whose body carries the token of a mailed link (a password reset, an email check): the
// sweeps have one mailed to the caller through the real routes and read it from a real SMTP
// server (server/test/smtp-inbox.ts), so those bodies can be valid too.
import { tokenInMail, type SmtpInbox } from '../../test/smtp-inbox.js';
import { authHeader, createUser, type TestApp, type TestUser } from '../../test/test-app.js';

interface MailedLink {
  /** Asks for the mail, as the caller would. */
  ask(t: TestApp, user: TestUser): Promise<unknown>;
  /** The path of the link in the mail, before "#token=". */
  link: string;
}

export const MAILED_LINKS: Record<string, MailedLink> = {
  'POST /api/auth/password-reset/confirm': {
    ask: (t, user) => t.app.inject({ method: 'POST', url: '/api/auth/password-reset', payload: { email: user.email } }),
    link: '/reset-password',
  },
  'POST /api/auth/verify-email': {
    ask: (t, user) => t.app.inject({ method: 'POST', url: '/api/auth/verify-email/resend', headers: authHeader(user) }),
    link: '/verify-email',
  },
  // Someone else's team invites the caller.
  'POST /api/teams/join': {
    ask: async (t, user) => {
      const inviter = await createUser(t.app);
      const team = await t.app.inject({ method: 'POST', url: '/api/teams', headers: authHeader(inviter), payload: { name: 'Inviting team' } });
      return t.app.inject({
        method: 'POST',
        url: `/api/teams/${team.json<{ id: string }>().id}/invitations`,
        headers: authHeader(inviter),
        payload: { email: user.email },
      });
    },
    link: '/teams/join',
  },
};

/** The token of a link newly mailed to `user` for the operation, or undefined if it takes none. */
export async function mailedToken(t: TestApp, inbox: SmtpInbox, operation: string, user: TestUser): Promise<string | undefined> {
  const mailed = MAILED_LINKS[operation];
  if (!mailed) return undefined;
  const mine = () => inbox.mails.filter((m) => m.to.includes(user.email) && m.text.includes(`${mailed.link}#token=`));
  const before = mine().length;
  await mailed.ask(t, user);
  const deadline = Date.now() + 10_000;
  while (mine().length <= before) {
    if (Date.now() > deadline) throw new Error(`${operation}: no ${mailed.link} link was mailed to ${user.email}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return tokenInMail(mine().at(-1)!, mailed.link);
}
