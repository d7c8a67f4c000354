// Users own the users table: accounts as the rest of the app sees them (email, tier, role, active
// flag, personal cap). Credentials and sessions are auth's, which calls this service; this module
// calls no other. Functions that another module needs inside its own transaction take `{ tx }`.
import { createHmac } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import type { TierName } from '../../lib/tiers/tiers.js';
import type { Db, Queryable } from '../../platform/db/db.js';
import {
  countUsersByTier,
  deleteEndedEmailBlocks,
  deleteUserById,
  findDeletedEmailBlock,
  findEmailsOfUsers,
  findTiersOfUsers,
  findUserByEmail,
  findUserById,
  findUserInLiveSession,
  insertDeletedEmail,
  insertUser,
  listEmailsByRole,
  listUsers,
  markEmailVerified,
  updateMonthlyTokenCap,
  updatePasswordHash,
  updateUser,
  type UserRow,
} from './users.repository.js';

/** Emails are stored trimmed and lower-cased (the table's check); every lookup normalises first. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface UserChanges {
  tier?: TierName;
  isActive?: boolean;
  role?: 'user' | 'admin';
}

interface InTransaction {
  tx?: Queryable;
}

export interface UsersServiceDeps {
  db: Db;
  /**
   * Keys the hash under which a deleted account's address is remembered until its month ends
   * (docs/decisions/015). Needed by createUser and deleteUser only.
   */
  emailHashKey?: Buffer;
  now?: () => Date;
}

export function createUsersService({ db, emailHashKey, now = () => new Date() }: UsersServiceDeps) {
  function emailHash(email: string): string {
    if (!emailHashKey) throw new Error('the users service needs emailHashKey to create or delete accounts');
    return createHmac('sha256', emailHashKey).update(normaliseEmail(email)).digest('hex');
  }

  return {
    async findUser(id: string, { tx = db }: InTransaction = {}): Promise<UserRow | undefined> {
      return findUserById(tx, { id });
    },

    /** The user of an access token while its session is live (see findUserInLiveSession). */
    findUserInSession(id: string, sessionId: string): Promise<UserRow | undefined> {
      return findUserInLiveSession(db, { id, sessionId });
    },

    async getUser(id: string): Promise<UserRow> {
      const user = await findUserById(db, { id });
      if (!user) throw new AppError('NOT_FOUND', 'No such user.');
      return user;
    },

    async findUserByEmail(email: string): Promise<UserRow | undefined> {
      return findUserByEmail(db, { email: normaliseEmail(email) });
    },

    /**
     * A new account on the free tier; EMAIL_TAKEN when the (normalised) email has one, and
     * EMAIL_RECENTLY_DELETED while the address of an account deleted this month waits.
     */
    async createUser({ email, passwordHash }: { email: string; passwordHash: string }): Promise<UserRow> {
      const blockedUntil = await findDeletedEmailBlock(db, { emailHash: emailHash(email), now: now() });
      if (blockedUntil) {
        const from = new Date(blockedUntil).toISOString().slice(0, 10);
        throw new AppError('EMAIL_RECENTLY_DELETED', `An account with this email was deleted this month; it can sign up again from ${from} (UTC).`, {
          retry_at: new Date(blockedUntil).toISOString(),
        });
      }
      const user = await insertUser(db, { email: normaliseEmail(email), passwordHash });
      if (!user) throw new AppError('EMAIL_TAKEN');
      return user;
    },

    markEmailVerified: (id: string, { tx = db }: InTransaction = {}) => markEmailVerified(tx, { id }),

    /**
     * Deletes the account (its conversations, keys and sessions cascade) and remembers its address,
     * hashed, until `blockedUntil`. Usage is not the users module's: the caller detaches it first.
     */
    async deleteUser(user: Pick<UserRow, 'id' | 'email'>, { tx, blockedUntil }: { tx: Queryable; blockedUntil: Date }): Promise<void> {
      await insertDeletedEmail(tx, { emailHash: emailHash(user.email), blockedUntil });
      await deleteUserById(tx, { id: user.id });
    },

    /** Forgets the addresses whose wait has ended; answers how many. */
    deleteEndedEmailBlocks: () => deleteEndedEmailBlocks(db, { before: now() }),

    async setPasswordHash(id: string, passwordHash: string, { tx = db }: InTransaction = {}): Promise<void> {
      await updatePasswordHash(tx, { id, passwordHash });
    },

    /**
     * Changes tier, active flag or role. Access tokens of a deactivated account stop working at once,
     * since each request reloads the user; ending its sessions is auth's (admin does both).
     */
    async updateUser(
      id: string,
      changes: UserChanges,
      /** Runs in the same transaction, e.g. to write an audit entry that commits with the change. */
      alsoInTransaction?: (tx: Queryable, before: UserRow, after: UserRow) => Promise<void>,
    ) {
      return db.transaction(async (tx) => {
        const before = await findUserById(tx, { id, forUpdate: true });
        if (!before) throw new AppError('NOT_FOUND', 'No such user.');
        const after = (await updateUser(tx, { id, ...changes }))!;
        await alsoInTransaction?.(tx, before, after);
        return { before, after };
      });
    },

    /** Sets the tier inside the caller's transaction (billing's, with its Stripe event); undefined for no such user. */
    async setTier(id: string, tier: TierName, { tx }: { tx: Queryable }): Promise<{ before: UserRow; after: UserRow } | undefined> {
      const before = await findUserById(tx, { id, forUpdate: true });
      if (!before) return undefined;
      return { before, after: (await updateUser(tx, { id, tier }))! };
    },

    /** The user's own monthly limit (below the tier's), or null for none. */
    async setMonthlyTokenCap(id: string, cap: number | null): Promise<void> {
      await updateMonthlyTokenCap(db, { id, cap });
    },

    listUsers: (query: { q?: string; limit: number; offset: number }) => listUsers(db, query),
    countUsersByTier: () => countUsersByTier(db),
    tiersOf: (ids: string[]) => findTiersOfUsers(db, { ids }),
    /** Each given account's email (deleted accounts have none). */
    async emailsOf(ids: string[]): Promise<Map<string, string>> {
      return new Map((await findEmailsOfUsers(db, { ids })).map((r) => [r.id, r.email]));
    },
    listEmailsByRole: (role: UserRow['role']) => listEmailsByRole(db, { role }),
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
export type { UserRow };
