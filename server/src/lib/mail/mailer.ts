// Account mail (password resets, email verification). With SMTP_URL, nodemailer delivers it; without
// it the message, link included, goes to the server log so the flow works offline. Never in
// production, where a log holds no live credential: there the message is dropped with a warning.
import type { FastifyBaseLogger } from 'fastify';
import nodemailer from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Delivers the message; rejects when the SMTP server refuses it. */
  send(mail: Mail): Promise<void>;
  /** Whether a sent message reaches its recipient (SMTP, or the log outside production). */
  readonly delivers: boolean;
  close(): void;
}

export interface MailerOptions {
  smtpUrl: string | undefined;
  from: string;
  log: FastifyBaseLogger;
  production: boolean;
}

export function createMailer({ smtpUrl, from, log, production }: MailerOptions): Mailer {
  if (!smtpUrl) {
    return {
      delivers: !production,
      async send(mail) {
        if (production) {
          log.warn({ mail: { subject: mail.subject } }, 'mail not sent: SMTP_URL is not set');
          return;
        }
        // Development and tests only: the log is the mailbox.
        log.info({ mail: { to: mail.to, subject: mail.subject, text: mail.text } }, 'mail not sent (no SMTP_URL): written here instead');
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    delivers: true,
    async send(mail) {
      await transport.sendMail({ from, ...mail });
    },
    close: () => transport.close(),
  };
}
