// Credentials and sessions: sign-up, login, password changes, refresh-token rotation with reuse
// detection, logout, and the user behind an access token. Auth owns the passwords' hashing and the
// refresh_tokens table; accounts themselves are the users service's, which auth calls (never the
// other way round).
import { AppError } from '../../lib/errors.js';
import type { Db, Queryable } from '../../platform/db/db.js';
import { createEpochCache, type EpochReader } from '../../platform/db/epoch-cache.js';
import type { RateLimiter } from '../../platform/rate-limits/rate-limits.service.js';
import { normaliseEmail, type UserRow, type UsersService } from '../users/users.service.js';
import { assertStrongPassword } from './password-strength.js';
import { dummyPasswordHash, hashPassword, isLegacyHash, verifyPassword } from './passwords.js';
import {
  deleteExpiredRefreshTokens,
  findRefreshTokenForUpdate,
  insertRefreshToken,
  listLiveSessionsOfUser,
  markRefreshTokenRotated,
  revokeRefreshTokenFamily,
  revokeRefreshTokensOfUser,
  revokeSessionOfUser,
  type RefreshTokenRow,
  type SessionClient,
} from './refresh-tokens.repository.js';
import { hashRefreshToken, type AccessTokenSigner, type RefreshTokenMint } from './tokens.js';

export interface AuthServiceDeps {
  db: Db;
  users: UsersService;
  signer: AccessTokenSigner;
  rateLimiter: RateLimiter;
  refreshTokens: RefreshTokenMint;
  refreshTokenTtlSeconds: number;
  /** How long a rotated token, replayed before its successor is used, still gets that successor. */
  refreshTokenReuseIntervalSeconds: number;
  authRateLimit: { perIp: number; perEmail: number; windowSeconds: number };
  now: () => Date;
  /** The counts of changes a cached check is served under (shared with the key cache). */
  epochs: EpochReader;
  /** How long a checked session may be kept (config authCacheSeconds); 0 or unset: no cache. */
  cacheSeconds?: number;
  /** Told of each new account (accounts mails the verification link when it is required). */
  onRegistered?: (user: UserRow) => void;
}

export type { SessionClient };
const NO_CLIENT: SessionClient = { userAgent: null, ip: null };

export interface Session {
  user: UserRow;
  /** The refresh-token family: what the session list calls a session, and the access token's sid. */
  sessionId: string;
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: Date;
}

export function createAuthService(deps: AuthServiceDeps) {
  const { db, users, signer, rateLimiter, now } = deps;
  // The account of each live session checked, until a session or an account changes (decision 023).
  const checkedSessions = createEpochCache<UserRow>(deps.epochs, {
    epoch: 'sessions',
    maxEntries: 10_000,
    ttlMs: (deps.cacheSeconds ?? 0) * 1000,
    now: () => now().getTime(),
  });

  function limitAttempts(action: string, ip: string, email: string) {
    const { perIp, perEmail, windowSeconds } = deps.authRateLimit;
    return rateLimiter.hit([
      { key: `${action}:ip:${ip}`, limit: perIp, windowSeconds },
      { key: `${action}:email:${email}`, limit: perEmail, windowSeconds },
    ]);
  }

  async function sessionWith(user: UserRow, sessionId: string, refreshToken: string, refreshExpiresAt: Date): Promise<Session> {
    const access = await signer.sign({ userId: user.id, sessionId });
    return { user, sessionId, accessToken: access.token, expiresIn: access.expiresIn, refreshToken, refreshExpiresAt };
  }

  /** A new refresh token (random for a login, derived from its parent on rotation) and its session. */
  async function issueSession(user: UserRow, client: SessionClient, tx: Pick<Db, 'query'> = db, parent?: { row: RefreshTokenRow; token: string }) {
    const refresh = parent === undefined ? deps.refreshTokens.fresh() : deps.refreshTokens.successorOf(parent.token);
    const expiresAt = new Date(now().getTime() + deps.refreshTokenTtlSeconds * 1000);
    const row = await insertRefreshToken(tx, {
      userId: user.id,
      familyId: parent?.row.family_id ?? null,
      sessionStartedAt: parent?.row.session_started_at ?? null,
      tokenHash: refresh.hash,
      expiresAt,
      client,
    });
    return { session: await sessionWith(user, row.family_id, refresh.token, expiresAt), rowId: row.id };
  }

  async function checkedPasswordHash(password: string, email: string): Promise<string> {
    assertStrongPassword(password, { email });
    return hashPassword(password);
  }

  async function activeUserOrRevoke(tx: Pick<Db, 'query'>, row: RefreshTokenRow): Promise<UserRow | null> {
    const user = await users.findUser(row.user_id, { tx });
    if (user?.is_active) return user;
    await revokeRefreshTokenFamily(tx, { familyId: row.family_id });
    return null;
  }

  /** The session a replay of a just-rotated token gets again, or null when the replay is a reuse. */
  async function successorWithinReuseInterval(tx: Pick<Db, 'query'>, row: RefreshTokenRow, token: string): Promise<Session | null> {
    if (!row.replaced_by || !row.revoked_at) return null; // revoked, not rotated
    const rotatedMsAgo = now().getTime() - new Date(row.revoked_at).getTime();
    if (rotatedMsAgo >= deps.refreshTokenReuseIntervalSeconds * 1000) return null;
    const successor = await findRefreshTokenForUpdate(tx, { id: row.replaced_by });
    if (!successor || successor.revoked_at || new Date(successor.expires_at).getTime() <= now().getTime()) return null;
    const again = deps.refreshTokens.successorOf(token);
    if (again.hash !== successor.token_hash) return null; // minted under another secret: cannot be handed again
    const user = await activeUserOrRevoke(tx, successor);
    if (!user) return null;
    return sessionWith(user, successor.family_id, again.token, new Date(successor.expires_at));
  }

  return {
    async register({ email, password, ip }: { email: string; password: string; ip: string }): Promise<UserRow> {
      await limitAttempts('register', ip, normaliseEmail(email));
      const user = await users.createUser({ email, passwordHash: await checkedPasswordHash(password, email) });
      deps.onRegistered?.(user);
      return user;
    },

    /**
     * One answer, of about one cost, for an unknown email and a wrong password (OWASP
     * authentication cheat sheet): a password hash is always verified. Only someone who knows the
     * password learns that the account is deactivated, so the answer reveals nothing to a guesser.
     */
    async login({ email, password, ip, client = NO_CLIENT }: { email: string; password: string; ip: string; client?: SessionClient }): Promise<Session> {
      await limitAttempts('login', ip, normaliseEmail(email));
      const user = await users.findUserByEmail(email);
      const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), password);
      if (!user || !ok) throw new AppError('INVALID_CREDENTIALS');
      if (!user.is_active) throw new AppError('ACCOUNT_DEACTIVATED');
      if (isLegacyHash(user.password_hash)) await users.setPasswordHash(user.id, await hashPassword(password));
      return (await issueSession(user, client)).session;
    },

    /**
     * A session for an account another module vouched for (single sign-on): the same refresh token
     * and access token a login gets. A deactivated account gets none.
     */
    async startSession(user: UserRow, client: SessionClient = NO_CLIENT): Promise<Session> {
      if (!user.is_active) throw new AppError('ACCOUNT_DEACTIVATED');
      return (await issueSession(user, client)).session;
    },

    /**
     * Rotates a refresh token (RFC 9700 section 4.14). Presenting a token that was already rotated
     * means it leaked: the whole family is revoked, newest included. One exception, as Supabase's
     * reuse interval and Okta's grace period make it: within a few seconds of the rotation, while
     * the successor is still unused, the replay gets that same successor again. That is a client
     * whose answer was lost (a page reloaded mid-request) or two tabs racing; either way no second
     * live token exists, and the row lock decides concurrent refreshes one after the other.
     */
    async refresh({ refreshToken, client = NO_CLIENT }: { refreshToken: string | undefined; client?: SessionClient }): Promise<Session> {
      if (!refreshToken) throw new AppError('REFRESH_TOKEN_INVALID');
      const outcome = await db.transaction(async (tx) => {
        const row = await findRefreshTokenForUpdate(tx, { tokenHash: hashRefreshToken(refreshToken) });
        if (!row) return null;
        if (row.revoked_at) {
          const again = await successorWithinReuseInterval(tx, row, refreshToken);
          if (again) return again;
          await revokeRefreshTokenFamily(tx, { familyId: row.family_id });
          return null;
        }
        if (new Date(row.expires_at).getTime() <= now().getTime()) return null;
        const user = await activeUserOrRevoke(tx, row);
        if (!user) return null;
        const issued = await issueSession(user, client, tx, { row, token: refreshToken });
        await markRefreshTokenRotated(tx, { id: row.id, replacedBy: issued.rowId, at: now() });
        return issued.session;
      });
      if (!outcome) throw new AppError('REFRESH_TOKEN_INVALID');
      return outcome;
    },

    /** Other sessions end with a password change; the one that changed it stays signed in. */
    async changePassword({
      userId,
      sessionId,
      currentPassword,
      newPassword,
    }: {
      userId: string;
      sessionId: string;
      currentPassword: string;
      newPassword: string;
    }) {
      const user = await users.findUser(userId);
      if (!user || !(await verifyPassword(user.password_hash, currentPassword))) {
        throw new AppError('INVALID_CREDENTIALS', 'The current password is incorrect.');
      }
      const passwordHash = await checkedPasswordHash(newPassword, user.email);
      await db.transaction(async (tx) => {
        await users.setPasswordHash(userId, passwordHash, { tx });
        await revokeRefreshTokensOfUser(tx, { userId, exceptFamilyId: sessionId });
      });
    },

    /** The hash of a new password, refused (PASSWORD_TOO_WEAK) when it is too easy to guess. */
    hashNewPassword: checkedPasswordHash,

    /**
     * Sets a new password without the old one (a password reset, whose link the caller checked, in
     * its transaction) and ends every session of the account.
     */
    async resetPassword(userId: string, passwordHash: string, { tx }: { tx: Queryable }): Promise<void> {
      await users.setPasswordHash(userId, passwordHash, { tx });
      await revokeRefreshTokensOfUser(tx, { userId });
    },

    /** Checks a password before an irreversible step (deleting the account): INVALID_CREDENTIALS when wrong. */
    async confirmPassword(userId: string, password: string): Promise<UserRow> {
      const user = await users.findUser(userId);
      if (!user || !(await verifyPassword(user.password_hash, password))) throw new AppError('INVALID_CREDENTIALS', 'The password is incorrect.');
      return user;
    },

    /**
     * Ends every session of a user (a deactivation: with `tx`, in the transaction that makes it), or
     * every one but `exceptSessionId`. Their access tokens stop working with them (authenticate).
     */
    async endSessionsOf(userId: string, { tx = db, exceptSessionId }: { tx?: Queryable; exceptSessionId?: string } = {}): Promise<void> {
      await revokeRefreshTokensOfUser(tx, { userId, exceptFamilyId: exceptSessionId });
    },

    /** The live sessions of a user, the caller's own marked `current`. */
    async listSessions(userId: string, currentSessionId: string) {
      const rows = await listLiveSessionsOfUser(db, { userId, now: now() });
      return rows.map((r) => ({ ...r, current: r.id === currentSessionId }));
    },

    /** Ends one of the user's sessions, their current one included. */
    async endSession(userId: string, sessionId: string): Promise<void> {
      if (!(await revokeSessionOfUser(db, { userId, familyId: sessionId }))) throw new AppError('SESSION_NOT_FOUND');
    },

    /** Ends the session the cookie belongs to: its whole family is revoked. */
    async logout({ refreshToken }: { refreshToken: string | undefined }): Promise<void> {
      if (!refreshToken) return;
      await db.transaction(async (tx) => {
        const row = await findRefreshTokenForUpdate(tx, { tokenHash: hashRefreshToken(refreshToken) });
        if (row) await revokeRefreshTokenFamily(tx, { familyId: row.family_id });
      });
    },

    /**
     * Deletes the refresh tokens past their expiry; answers how many went. An expired token can
     * start no session, and its cookie expired with it (the same expiry), so a browser no longer
     * sends it: nothing a client can present changes meaning, bar a replay of a stolen token older
     * than the token lifetime, which is refused all the same (without revoking its family).
     */
    deleteExpiredRefreshTokens(): Promise<number> {
      return deleteExpiredRefreshTokens(db, { before: now() });
    },

    /**
     * The user behind an access token and its session, loaded on every request in one statement,
     * so that a deactivation, a deletion and the end of the token's session bite at once.
     */
    async authenticate(accessToken: string): Promise<{ user: UserRow; sessionId: string }> {
      const claims = await signer.verify(accessToken);
      if (!claims) throw new AppError('TOKEN_INVALID');
      const user = await checkedSessions.get(`${claims.userId} ${claims.sessionId}`, () => users.findUserInSession(claims.userId, claims.sessionId));
      if (!user || !user.is_active) throw new AppError('TOKEN_INVALID');
      return { user, sessionId: claims.sessionId };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
