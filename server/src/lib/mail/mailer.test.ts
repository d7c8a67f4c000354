import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { startSmtpInbox } from '../../../test/smtp-inbox.js';
import { createMailer } from './mailer.js';

function memoryLog() {
  const lines: Array<Record<string, unknown>> = [];
  const app = Fastify({ logger: { level: 'info', stream: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) } } });
  return { log: app.log, lines };
}

const mail = { to: 'ada@example.com', subject: 'Reset your password', text: 'Open https://chat.example/reset-password#token=abc' };

describe('createMailer', () => {
  it('without SMTP_URL, writes the whole message, link included, to the log', async () => {
    const { log, lines } = memoryLog();
    const mailer = createMailer({ smtpUrl: undefined, from: 'x@y.z', log, production: false });
    expect(mailer.delivers).toBe(true);
    await mailer.send(mail);
    expect(lines.find((l) => l.mail)?.mail).toEqual(mail);
  });

  it('in production without SMTP_URL, logs neither the link nor the address, and says it delivers nothing', async () => {
    const { log, lines } = memoryLog();
    const mailer = createMailer({ smtpUrl: undefined, from: 'x@y.z', log, production: true });
    expect(mailer.delivers).toBe(false);
    await mailer.send(mail);
    expect(JSON.stringify(lines)).not.toMatch(/token=|ada@example/);
    expect(lines.at(-1)?.msg).toMatch(/SMTP_URL is not set/);
  });

  it('with SMTP_URL, delivers through the SMTP server, from MAIL_FROM', async () => {
    const inbox = await startSmtpInbox();
    const { log, lines } = memoryLog();
    const mailer = createMailer({ smtpUrl: inbox.url, from: 'Quota Chat <accounts@chat.example>', log, production: true });
    try {
      await mailer.send(mail);
      const got = await inbox.next('ada@example.com');
      expect(got).toMatchObject({ from: 'accounts@chat.example', subject: mail.subject, text: mail.text });
      expect(JSON.stringify(lines)).not.toContain('token=');
    } finally {
      mailer.close();
      await inbox.close();
    }
  });
});
