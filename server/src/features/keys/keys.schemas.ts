import { z } from 'zod';
import type { ApiKeyRow } from './keys.repository.js';

export const createApiKeyBody = z.object({ name: z.string().trim().min(1, 'Give the key a name.').max(100, 'Use at most 100 characters.') }).strict();
export type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;

export const apiKeyIdParams = z.object({ id: z.guid('Use an API key id (a UUID).') });

export const apiKeyResponse = z.object({
  id: z.string(),
  name: z.string(),
  /** The key's first characters ("qc_" and 8 more): enough to recognise it, useless to use it. */
  prefix: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
});
export type ApiKeyResponse = z.infer<typeof apiKeyResponse>;

export const apiKeyListResponse = z.object({ items: z.array(apiKeyResponse) });

/** The answer to a creation, the only one that carries the key itself. */
export const createdApiKeyResponse = apiKeyResponse.extend({ key: z.string() });

export function toApiKeyResponse(row: ApiKeyRow): ApiKeyResponse {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    created_at: new Date(row.created_at).toISOString(),
    last_used_at: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
  };
}

export type ApiKeyListResponse = z.infer<typeof apiKeyListResponse>;
export type CreatedApiKeyResponse = z.infer<typeof createdApiKeyResponse>;
