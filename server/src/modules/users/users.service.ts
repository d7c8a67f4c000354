import type { Db, Queryable } from '../../db/db.js';
import { AppError } from '../../lib/errors.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { revokeRefreshTokensOfUser } from '../auth/refresh-tokens.repository.js';
import type { TierName } from '../tiers/tiers.js';
import { findUserById, updatePasswordHash, updateUser, type UserRow } from './users.repository.js';

export function createUsersService({ db }: { db: Db }) {
  return {
    async findUser(id: string): Promise<UserRow | undefined> {
      return findUserById(db, { id });
    },

    async getUser(id: string): Promise<UserRow> {
      const user = await findUserById(db, { id });
      if (!user) throw new AppError('NOT_FOUND', 'No such user.');
      return user;
    },

    /**
     * Changes tier, active flag or role. Deactivating revokes every refresh token in the same
     * transaction; access tokens stop working at once because each request reloads the user.
     */
    async updateUser(
      id: string,
      changes: { tier?: TierName; isActive?: boolean; role?: 'user' | 'admin' },
      /** Runs in the same transaction, e.g. to write an audit entry that commits with the change. */
      alsoInTransaction?: (tx: Queryable, before: UserRow, after: UserRow) => Promise<void>,
    ) {
      return db.transaction(async (tx) => {
        const before = await findUserById(tx, { id });
        if (!before) throw new AppError('NOT_FOUND', 'No such user.');
        const after = (await updateUser(tx, { id, ...changes }))!;
        if (changes.isActive === false) await revokeRefreshTokensOfUser(tx, { userId: id });
        await alsoInTransaction?.(tx, before, after);
        return { before, after };
      });
    },

    async changePassword(id: string, currentPassword: string, newPassword: string) {
      const user = await findUserById(db, { id });
      if (!user || !(await verifyPassword(user.password_hash, currentPassword))) {
        throw new AppError('INVALID_CREDENTIALS', 'The current password is incorrect.');
      }
      await db.transaction(async (tx) => {
        await updatePasswordHash(tx, { id, passwordHash: await hashPassword(newPassword) });
        // Other sessions end with a password change; the caller logs in again where needed.
        await revokeRefreshTokensOfUser(tx, { userId: id });
      });
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
