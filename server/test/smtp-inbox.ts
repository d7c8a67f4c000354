// A real SMTP server (the smtp-server package) inside the test process: the app's nodemailer
// delivers to it over TCP, and tests read what arrived. No TLS and no login, as on a local relay.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  /** The plain-text body, quoted-printable soft breaks and escapes decoded. */
  text: string;
}

export interface SmtpInbox {
  url: string;
  mails: ReceivedMail[];
  /** The first mail to `to` (with a subject containing `subject`) not taken yet, waiting for it if need be. */
  next(to: string, subject?: string, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

function decodeQuotedPrintable(body: string): string {
  const bytes = Buffer.from(
    body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
  return bytes.toString('utf8');
}

function parse(raw: string, from: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  const body = raw.slice(split + 4);
  const text = /quoted-printable/i.test(header('Content-Transfer-Encoding')) ? decodeQuotedPrintable(body) : body;
  return { from, to, subject: header('Subject'), text: text.replace(/\r\n/g, '\n').trimEnd() };
}

export async function startSmtpInbox(): Promise<SmtpInbox> {
  const mails: ReceivedMail[] = [];
  const waiting: Array<{ to: string; subject: string; resolve: (m: ReceivedMail) => void }> = [];
  const taken = new Set<ReceivedMail>();
  const take = (to: string, subject: string) => {
    const mail = mails.find((m) => !taken.has(m) && m.to.includes(to) && m.subject.includes(subject));
    if (mail) taken.add(mail);
    return mail;
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push(
          parse(
            Buffer.concat(chunks).toString('utf8'),
            from,
            session.envelope.rcptTo.map((r) => r.address),
          ),
        );
        for (const w of [...waiting]) {
          const mail = take(w.to, w.subject);
          if (mail) {
            waiting.splice(waiting.indexOf(w), 1);
            w.resolve(mail);
          }
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    next(to, subject = '', timeoutMs = 15_000) {
      const mail = take(to, subject);
      if (mail) return Promise.resolve(mail);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no mail to ${to} within ${timeoutMs} ms`)), timeoutMs);
        waiting.push({ to, subject, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The token in a mailed link such as https://host/reset-password#token=... */
export function tokenInMail(mail: ReceivedMail, path: string): string {
  // Tokens are base64url, or (team invitations) signed parts joined by dots.
  const match = new RegExp(`${path}#token=([A-Za-z0-9_.-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in:\n${mail.text}`);
  return match[1]!;
}
