// Personal API keys: created (shown once), listed, revoked, and checked on every /v1 request.
import { AppError } from '../../lib/errors.js';
import type { Charge } from '../../lib/model-calls/usage-meter.js';
import type { Db } from '../../platform/db/db.js';
import { createEpochCache, type EpochReader } from '../../platform/db/epoch-cache.js';
import type { TeamsService } from '../teams/teams.service.js';
import type { UsageService } from '../usage/usage.service.js';
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
  updateApiKey,
  type ApiKeyRow,
  type KeyBudget,
} from './keys.repository.js';

/** A key as its owner sees it: with what it used this month and what its calls in flight hold. */
export type ApiKeyWithUsage = ApiKeyRow & { used_tokens: number; reserved_tokens: number };

/** The key a /v1 request came with, as metering needs it (its cap is a level of every call). */
export interface AuthenticatedKey {
  id: string;
  monthly_token_cap: number | null;
  /** A team key's team, as metering charges it (its tier, the owner's cap in it). */
  team?: NonNullable<Charge['team']>;
}

/** Live (not revoked) keys a user may hold at once. */
export const MAX_API_KEYS_PER_USER = 20;
/**
 * last_used_at is written at most this often per key: a write per request would double the
 * database work of every API call for a date the user reads to the minute at best.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface KeysServiceDeps {
  db: Db;
  users: UsersService;
  usage: Pick<UsageService, 'keysMonth'>;
  teams: Pick<TeamsService, 'chargeFor'>;
  now: () => Date;
  /** The counts of changes a cached check is served under (shared with the session cache). */
  epochs: EpochReader;
  /** How long a checked key may be kept (config authCacheSeconds); 0 or unset: no cache. */
  cacheSeconds?: number;
}

interface KeyCheck {
  row: ApiKeyRow;
  user: UserRow;
  team?: NonNullable<AuthenticatedKey['team']>;
}

export function createKeysService({ db, users, usage, teams, now, epochs, cacheSeconds = 0 }: KeysServiceDeps) {
  const checkedKeys = createEpochCache<KeyCheck>(epochs, {
    epoch: 'auth',
    maxEntries: 10_000,
    ttlMs: cacheSeconds * 1000,
    now: () => now().getTime(),
  });

  /** A live key of an active account, and the team it spends (undefined: no such key). */
  async function loadKeyCheck(keyHash: string): Promise<KeyCheck | undefined> {
    const row = await findLiveApiKeyByHash(db, { keyHash });
    const user = row && (await users.findUser(row.user_id));
    if (!row || !user?.is_active) return undefined;
    if (!row.team_id) return { row, user };
    // Checked on every load: a member who left or was removed can no longer spend the pool.
    const team = await teams.chargeFor(user.id, row.team_id).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'TEAM_NOT_FOUND')
        throw new AppError('API_KEY_INVALID', 'This API key is for a team you are no longer a member of; create a key for your own plan or another team.');
      throw err;
    });
    return { row, user, team };
  }

  async function withUsage(rows: ApiKeyRow[]): Promise<ApiKeyWithUsage[]> {
    const months = await usage.keysMonth(rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, used_tokens: months.get(r.id)?.used ?? 0, reserved_tokens: months.get(r.id)?.reserved ?? 0 }));
  }

  /** An expiry must lie ahead: a key born expired, or moved into the past, is a mistake. */
  function checkExpiry(expiresAt: Date | null | undefined) {
    if (expiresAt && expiresAt.getTime() <= now().getTime()) {
      throw new AppError('VALIDATION_FAILED', 'The expiry must be in the future.', {
        issues: [{ location: 'body', path: 'expires_at', message: 'must be in the future' }],
      });
    }
  }

  return {
    async list(userId: string): Promise<ApiKeyWithUsage[]> {
      return withUsage(await listApiKeysByUser(db, { userId }));
    },

    /** The new key is in the answer and nowhere else: only its hash is stored. */
    async create(userId: string, name: string, budget: Partial<KeyBudget> = {}, teamId: string | null = null): Promise<ApiKeyWithUsage & { key: string }> {
      checkExpiry(budget.expiresAt);
      // A team key only for a team of one's own (404 otherwise, as for every team route).
      if (teamId) await teams.chargeFor(userId, teamId);
      const fresh = generateApiKey();
      const row = await db.transaction(async (tx) => {
        await lockKeyCreationOfUser(tx, { userId });
        if ((await countLiveApiKeysByUser(tx, { userId })) >= MAX_API_KEYS_PER_USER) {
          throw new AppError('API_KEY_LIMIT', `You have ${MAX_API_KEYS_PER_USER} API keys, the most allowed; revoke one you no longer use first.`, {
            limit: MAX_API_KEYS_PER_USER,
          });
        }
        return insertApiKey(tx, {
          userId,
          name,
          prefix: fresh.prefix,
          keyHash: fresh.hash,
          monthlyTokenCap: budget.monthlyTokenCap ?? null,
          expiresAt: budget.expiresAt ?? null,
          teamId,
        });
      });
      return { ...row, used_tokens: 0, reserved_tokens: 0, key: fresh.key };
    },
    /**
     * Renames a key, changes its cap or expiry, or moves it to another of one's teams (null: one's
     * own plan); a change binds the next call, not those in flight, which keep what they reserved.
     */
    async update(userId: string, id: string, changes: Partial<{ name: string; teamId: string | null } & KeyBudget>): Promise<ApiKeyWithUsage> {
      checkExpiry(changes.expiresAt);
      if (changes.teamId) await teams.chargeFor(userId, changes.teamId);
      const row = await updateApiKey(db, { id, userId, changes });
      if (!row) throw new AppError('API_KEY_NOT_FOUND', `You have no API key ${id}.`);
      return (await withUsage([row]))[0]!;
    },

    /** Revoked keys stop working at once: every request looks its key up. */
    async revoke(userId: string, id: string): Promise<void> {
      if (!(await revokeApiKey(db, { id, userId }))) throw new AppError('API_KEY_NOT_FOUND', `You have no API key ${id}.`);
    },

    /**
     * The key's row, its owner and its team charge: read from the database, or from this process's
     * cache of them, served only while no change to any of them has committed since it was read
     * (revoking the key, deactivating the account, leaving the team bite at once, on every process;
     * docs/decisions/023). What is
     * checked against the clock (the expiry) is checked on every request.
     */
    async authenticate(key: string): Promise<{ user: UserRow; key: AuthenticatedKey }> {
      if (!looksLikeApiKey(key)) {
        throw new AppError('API_KEY_INVALID', 'This is not an API key: /v1 takes only personal API keys ("qc_..."), which POST /api/keys creates.');
      }
      const keyHash = hashApiKey(key);
      const checked = await checkedKeys.get(keyHash, () => loadKeyCheck(keyHash));
      if (!checked)
        throw new AppError('API_KEY_INVALID', 'This API key is not valid: it was revoked or its account is disabled. POST /api/keys creates a new one.');
      const { row, user, team } = checked;
      const at = now();
      if (row.expires_at && new Date(row.expires_at).getTime() <= at.getTime()) {
        throw new AppError(
          'API_KEY_INVALID',
          `This API key expired at ${new Date(row.expires_at).toISOString()}. PATCH /api/keys/{id} extends it, or POST /api/keys creates a new one.`,
        );
      }
      const staleBefore = new Date(at.getTime() - LAST_USED_RESOLUTION_MS);
      if (!row.last_used_at || new Date(row.last_used_at) <= staleBefore) {
        await touchApiKey(db, { id: row.id, at, staleBefore });
        checkedKeys.update(keyHash, { ...checked, row: { ...row, last_used_at: at } });
      }
      const authenticated: AuthenticatedKey = { id: row.id, monthly_token_cap: row.monthly_token_cap === null ? null : Number(row.monthly_token_cap) };
      if (team) authenticated.team = team;
      return { user, key: authenticated };
    },
  };
}

export type KeysService = ReturnType<typeof createKeysService>;
