// Personal API keys: created (shown once), listed, revoked, and checked on every /v1 request.
import { AppError } from '../../lib/errors.js';
import type { Db } from '../../platform/db/db.js';
import type { UserRow, UsersService } from '../users/users.service.js';
import { generateApiKey, hashApiKey, looksLikeApiKey } from './api-key.js';
import {
  countLiveApiKeysByUser,
  findLiveApiKeyByHash,
  insertApiKey,
  listApiKeysByUser,
  lockKeyCreationOfUser,
  revokeApiKey,
  touchApiKey,
  type ApiKeyRow,
} from './keys.repository.js';

/** Live (not revoked) keys a user may hold at once. */
export const MAX_API_KEYS_PER_USER = 20;
/**
 * last_used_at is written at most this often per key: a write per request would double the
 * database work of every API call for a date the user reads to the minute at best.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

export function createKeysService({ db, users, now }: { db: Db; users: UsersService; now: () => Date }) {
  return {
    list(userId: string): Promise<ApiKeyRow[]> {
      return listApiKeysByUser(db, { userId });
    },

    /** The new key is in the answer and nowhere else: only its hash is stored. */
    async create(userId: string, name: string): Promise<ApiKeyRow & { key: string }> {
      const fresh = generateApiKey();
      const row = await db.transaction(async (tx) => {
        await lockKeyCreationOfUser(tx, { userId });
        if ((await countLiveApiKeysByUser(tx, { userId })) >= MAX_API_KEYS_PER_USER) {
          throw new AppError('API_KEY_LIMIT', `You have ${MAX_API_KEYS_PER_USER} API keys, the most allowed; revoke one you no longer use first.`, {
            limit: MAX_API_KEYS_PER_USER,
          });
        }
        return insertApiKey(tx, { userId, name, prefix: fresh.prefix, keyHash: fresh.hash });
      });
      return { ...row, key: fresh.key };
    },

    /** Revoked keys stop working at once: every request looks its key up. */
    async revoke(userId: string, id: string): Promise<void> {
      if (!(await revokeApiKey(db, { id, userId }))) throw new AppError('API_KEY_NOT_FOUND', `You have no API key ${id}.`);
    },

    /**
     * The owner of a live key, loaded on every request (as for an access token) so that revoking
     * the key or deactivating the account bites at once.
     */
    async authenticate(key: string): Promise<UserRow> {
      if (!looksLikeApiKey(key)) {
        throw new AppError('API_KEY_INVALID', 'This is not an API key: /v1 takes only personal API keys ("qc_..."), which POST /api/keys creates.');
      }
      const found = await findLiveApiKeyByHash(db, { keyHash: hashApiKey(key) });
      const user = found && (await users.findUser(found.user_id));
      if (!found || !user?.is_active)
        throw new AppError('API_KEY_INVALID', 'This API key is not valid: it was revoked or its account is disabled. POST /api/keys creates a new one.');
      const at = now();
      const staleBefore = new Date(at.getTime() - LAST_USED_RESOLUTION_MS);
      if (!found.last_used_at || new Date(found.last_used_at) <= staleBefore) await touchApiKey(db, { id: found.id, at, staleBefore });
      return user;
    },
  };
}

export type KeysService = ReturnType<typeof createKeysService>;
