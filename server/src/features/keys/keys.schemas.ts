import { z } from 'zod';
import type { ApiKeyRow } from './keys.repository.js';

const keyName = z.string().trim().min(1, 'Give the key a name.').max(100, 'Use at most 100 characters.');
/** The key's own monthly token cap, inside the plan's limits; null for none. */
const keyCap = z.number().int('Use a whole number of tokens.').min(0).max(Number.MAX_SAFE_INTEGER).nullable();
/** When the key stops working; null for never. A date in the past is refused (service). */
const keyExpiry = z.iso.datetime({ offset: true, error: 'Use an ISO 8601 date and time, e.g. 2027-01-31T23:59:59Z.' }).nullable();

/** A team you belong to: the key's calls are charged to its pool (and your cap in it); null for your own plan. */
const keyTeam = z.guid('Use a team id (a UUID).').nullable();

export const createApiKeyBody = z
  .object({
    name: keyName,
    monthly_token_cap: keyCap.optional(),
    expires_at: keyExpiry.optional(),
    team_id: keyTeam.optional(),
  })
  .strict();
export type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;

export const updateApiKeyBody = z
  .object({ name: keyName.optional(), monthly_token_cap: keyCap.optional(), expires_at: keyExpiry.optional(), team_id: keyTeam.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'Send at least one of name, monthly_token_cap, expires_at and team_id.');
export type UpdateApiKeyBody = z.infer<typeof updateApiKeyBody>;

export const apiKeyIdParams = z.object({ id: z.guid('Use an API key id (a UUID).') });

export const apiKeyResponse = z.object({
  id: z.string(),
  name: z.string(),
  /** The key's first characters ("qc_" and 8 more): enough to recognise it, useless to use it. */
  prefix: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  monthly_token_cap: z.number().nullable(),
  expires_at: z.string().nullable(),
  team_id: z.string().nullable(),
  /** Tokens the key used this month (its calls' records), and those its calls in flight hold. */
  used_tokens: z.number(),
  reserved_tokens: z.number(),
});
export type ApiKeyResponse = z.infer<typeof apiKeyResponse>;

export const apiKeyListResponse = z.object({ items: z.array(apiKeyResponse) });

/** The answer to a creation, the only one that carries the key itself. */
export const createdApiKeyResponse = apiKeyResponse.extend({ key: z.string() });

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toApiKeyResponse(row: ApiKeyRow & { used_tokens: number; reserved_tokens: number }): ApiKeyResponse {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: iso(row.last_used_at),
    monthly_token_cap: row.monthly_token_cap === null ? null : Number(row.monthly_token_cap),
    expires_at: iso(row.expires_at),
    team_id: row.team_id,
    used_tokens: row.used_tokens,
    reserved_tokens: row.reserved_tokens,
  };
}

export type ApiKeyListResponse = z.infer<typeof apiKeyListResponse>;
export type CreatedApiKeyResponse = z.infer<typeof createdApiKeyResponse>;
