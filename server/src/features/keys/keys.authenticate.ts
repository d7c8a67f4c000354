// The guard of /v1: a personal API key, as the OpenAI clients send it ("Authorization: Bearer
// qc_..."). Why keys and access tokens never stand in for each other: auth/authenticate.ts.
import { bearerToken, type Authenticate } from '../../lib/bearer.js';
import { AppError } from '../../lib/errors.js';
import { looksLikeApiKey } from './api-key.js';
import type { KeysService } from './keys.service.js';

export function createApiKeyAuthenticate(keys: Pick<KeysService, 'authenticate'>): Authenticate {
  return async (request) => {
    const key = bearerToken(request);
    if (!key) throw new AppError('API_KEY_INVALID', 'Send your API key as "Authorization: Bearer qc_..."; POST /api/keys creates one.');
    request.user = await keys.authenticate(key);
  };
}

/** For the /api guard (auth's createAuthenticate): what to tell someone who sends a key there. */
export function explainApiKeyOnApi(token: string): string | undefined {
  return looksLikeApiKey(token) ? 'API keys work only on the OpenAI-compatible API under /v1; /api takes the access token of a login.' : undefined;
}
