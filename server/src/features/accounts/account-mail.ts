// The text of account mail. Plain text only: nothing in it needs markup, and a link in plain text
// is the one a person can check before opening. Tokens travel in the URL's fragment, which browsers
// never send to a server, so they stay out of access logs and Referer headers.
import type { Mail } from '../../lib/mail/mailer.js';

export function passwordResetMail({ to, publicUrl, token, ttlMinutes }: { to: string; publicUrl: string; token: string; ttlMinutes: number }): Mail {
  return {
    to,
    subject: 'Reset your Quota Chat password',
    text: [
      `Someone asked to reset the password of the Quota Chat account for ${to} at ${publicUrl}.`,
      '',
      `To choose a new password, open this link within ${ttlMinutes} minutes (it works once):`,
      `${publicUrl}/reset-password#token=${token}`,
      '',
      'Setting a new password signs the account out everywhere.',
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ].join('\n'),
  };
}

export function verificationMail({ to, publicUrl, token, ttlHours }: { to: string; publicUrl: string; token: string; ttlHours: number }): Mail {
  return {
    to,
    subject: 'Confirm your email for Quota Chat',
    text: [
      `Confirm that ${to} is your address for Quota Chat at ${publicUrl} by opening this link within ${ttlHours} hours:`,
      `${publicUrl}/verify-email#token=${token}`,
      '',
      'If you did not sign up, ignore this message.',
    ].join('\n'),
  };
}
