// Accounts a person can recover and control (docs/decisions/015): password resets and email
// verification through mailed one-time links, and deleting one's own account. Accounts owns the
// account_tokens table; the password and sessions are auth's, the account row is users', usage
// is usage's: each is changed through its service, in one transaction where they must agree.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../../lib/errors.js';
import type { Mailer } from '../../lib/mail/mailer.js';
import type { Db } from '../../platform/db/db.js';
import type { RateLimiter } from '../../platform/rate-limits/rate-limits.service.js';
import type { AuthService } from '../auth/auth.service.js';
import type { TeamsService } from '../teams/teams.service.js';
import { monthOf, monthResetsAt } from '../usage/month.js';
import type { UsageService } from '../usage/usage.service.js';
import { normaliseEmail, type UserRow, type UsersService } from '../users/users.service.js';
import { passwordResetMail, verificationMail } from './account-mail.js';
import {
  consumeAccountToken,
  deleteExpiredAccountTokens,
  findUsableAccountToken,
  insertAccountToken,
  type AccountTokenPurpose,
} from './account-tokens.repository.js';

const VERIFICATION_TTL_HOURS = 48;
/** Verification mails one account may ask for per hour. */
const VERIFICATION_MAILS_PER_HOUR = 3;

export interface AccountsServiceDeps {
  db: Db;
  users: UsersService;
  auth: Pick<AuthService, 'hashNewPassword' | 'resetPassword' | 'confirmPassword'>;
  usage: Pick<UsageService, 'detachUser'>;
  teams: Pick<TeamsService, 'releaseOwnedBy'>;
  mailer: Mailer;
  rateLimiter: RateLimiter;
  log: FastifyBaseLogger;
  now: () => Date;
  publicUrl: string;
  passwordResetTtlMinutes: number;
  requireEmailVerification: boolean;
  authRateLimit: { perIp: number; perEmail: number; windowSeconds: number };
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function createAccountsService(deps: AccountsServiceDeps) {
  const { db, users, auth, mailer, rateLimiter, log, now } = deps;
  // Mail goes out after the answer (see requestPasswordReset); close() waits for what is still going.
  const sending = new Set<Promise<void>>();

  function inBackground(what: string, work: () => Promise<void>) {
    const job = work()
      .catch((err: unknown) => log.error({ err }, `${what} failed`))
      .finally(() => sending.delete(job));
    sending.add(job);
  }

  async function mintToken(userId: string, purpose: AccountTokenPurpose, ttlMs: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await insertAccountToken(db, { tokenHash: hashToken(token), userId, purpose, expiresAt: new Date(now().getTime() + ttlMs) });
    return token;
  }

  async function mailVerification(user: Pick<UserRow, 'id' | 'email'>) {
    const token = await mintToken(user.id, 'email_verification', VERIFICATION_TTL_HOURS * 3600_000);
    await mailer.send(verificationMail({ to: user.email, publicUrl: deps.publicUrl, token, ttlHours: VERIFICATION_TTL_HOURS }));
  }

  return {
    /** What the sign-in pages offer: a reset only when its mail can reach someone. */
    options: () => ({ email_verification_required: deps.requireEmailVerification, password_reset_available: mailer.delivers }),

    /**
     * Mails a reset link when the address has an active account. The answer is the same, and comes
     * as soon, either way: past the rate limit (counted alike for both), the lookup, the token and
     * the mail all happen after the reply, so neither its content nor its timing tells them apart.
     */
    async requestPasswordReset({ email, ip }: { email: string; ip: string }): Promise<void> {
      const { perIp, perEmail, windowSeconds } = deps.authRateLimit;
      await rateLimiter.hit([
        { key: `password-reset:ip:${ip}`, limit: perIp, windowSeconds },
        { key: `password-reset:email:${normaliseEmail(email)}`, limit: perEmail, windowSeconds },
      ]);
      inBackground('password reset mail', async () => {
        const user = await users.findUserByEmail(email);
        if (!user?.is_active) return;
        const ttlMinutes = deps.passwordResetTtlMinutes;
        const token = await mintToken(user.id, 'password_reset', ttlMinutes * 60_000);
        await mailer.send(passwordResetMail({ to: user.email, publicUrl: deps.publicUrl, token, ttlMinutes }));
      });
    },

    /**
     * Sets the password a reset link was mailed for and ends every session of the account. The link
     * also proves the address, so it counts as verified. A password refused as too weak leaves the
     * link usable, so the person can try another.
     */
    async resetPassword({ token, password }: { token: string; password: string }): Promise<void> {
      const tokenHash = hashToken(token);
      const found = await findUsableAccountToken(db, { tokenHash, purpose: 'password_reset', now: now() });
      const user = found && (await users.findUser(found.user_id));
      if (!user?.is_active) throw new AppError('MAIL_LINK_INVALID');
      const passwordHash = await auth.hashNewPassword(password, user.email);
      await db.transaction(async (tx) => {
        // Decided here, in the transaction: of two uses racing, one sets the password.
        const userId = await consumeAccountToken(tx, { tokenHash, purpose: 'password_reset', now: now() });
        if (userId !== user.id) throw new AppError('MAIL_LINK_INVALID');
        await auth.resetPassword(user.id, passwordHash, { tx });
        await users.markEmailVerified(user.id, { tx });
      });
    },

    /** For a new account, when verification is required: the mail goes out after the answer. */
    onRegistered(user: UserRow): void {
      if (deps.requireEmailVerification) inBackground('verification mail', () => mailVerification(user));
    },

    /** Sends the verification mail again (rate limited per account). */
    async resendVerification(user: UserRow): Promise<void> {
      if (user.email_verified_at) return;
      await rateLimiter.hit([{ key: `verification-mail:user:${user.id}`, limit: VERIFICATION_MAILS_PER_HOUR, windowSeconds: 3600 }]);
      await mailVerification(user);
    },

    /** Marks the address of the link's account verified; the link works once. */
    async verifyEmail({ token }: { token: string }): Promise<void> {
      await db.transaction(async (tx) => {
        const userId = await consumeAccountToken(tx, { tokenHash: hashToken(token), purpose: 'email_verification', now: now() });
        if (!userId) throw new AppError('MAIL_LINK_INVALID');
        await users.markEmailVerified(userId, { tx });
      });
    },

    /**
     * Deletes the caller's account, after checking its password: conversations, keys, sessions and
     * the teams it owns alone go (owning one that others use answers 409); usage stays, detached (usage's detachUser), and the address waits for the month's end to
     * sign up again, so deleting cannot reset a month's quota (docs/decisions/015).
     */
    async deleteAccount({ userId, password }: { userId: string; password: string }): Promise<void> {
      const { perEmail, windowSeconds } = deps.authRateLimit;
      await rateLimiter.hit([{ key: `delete-account:user:${userId}`, limit: perEmail, windowSeconds }]);
      const user = await auth.confirmPassword(userId, password);
      await db.transaction(async (tx) => {
        // A team it owns alone goes with it; one that others use refuses (409): hand it over first.
        await deps.teams.releaseOwnedBy(user.id, { tx });
        await deps.usage.detachUser(user.id, { tx });
        await users.deleteUser(user, { tx, blockedUntil: monthResetsAt(monthOf(now())) });
      });
    },

    /** Housekeeping: expired tokens and the addresses whose wait has ended; answers how many went. */
    async deleteExpired(): Promise<number> {
      return (await deleteExpiredAccountTokens(db, { before: now() })) + (await users.deleteEndedEmailBlocks());
    },

    /** Waits for the mail still being sent (the app's close). */
    async close(): Promise<void> {
      await Promise.all([...sending]);
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
