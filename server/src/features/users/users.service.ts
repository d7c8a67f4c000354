// Users own the users table: accounts as the rest of the app sees them (email, tier, role, active
// flag, personal cap). Credentials and sessions are auth's, which calls this service; this module
// calls no other. Functions that another module needs inside its own transaction take `{ tx }`.
import { AppError } from '../../lib/errors.js';
import type { TierName } from '../../lib/tiers/tiers.js';
import type { Db, Queryable } from '../../platform/db/db.js';
import {
  countUsersByTier,
  findTiersOfUsers,
  findUserByEmail,
  findUserById,
  insertUser,
  listEmailsByRole,
  listUsers,
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

export function createUsersService({ db }: { db: Db }) {
  return {
    async findUser(id: string, { tx = db }: InTransaction = {}): Promise<UserRow | undefined> {
      return findUserById(tx, { id });
    },

    async getUser(id: string): Promise<UserRow> {
      const user = await findUserById(db, { id });
      if (!user) throw new AppError('NOT_FOUND', 'No such user.');
      return user;
    },

    async findUserByEmail(email: string): Promise<UserRow | undefined> {
      return findUserByEmail(db, { email: normaliseEmail(email) });
    },

    /** A new account on the free tier; EMAIL_TAKEN when the (normalised) email has one. */
    async createUser({ email, passwordHash }: { email: string; passwordHash: string }): Promise<UserRow> {
      const user = await insertUser(db, { email: normaliseEmail(email), passwordHash });
      if (!user) throw new AppError('EMAIL_TAKEN');
      return user;
    },

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
    listEmailsByRole: (role: UserRow['role']) => listEmailsByRole(db, { role }),
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
export type { UserRow };
