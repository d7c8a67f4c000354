// The guard of /v1: a personal API key, as the OpenAI clients send it ("Authorization: Bearer
// qc_..."). Why keys and access tokens never stand in for each other: auth/authenticate.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken, type Authenticate } from '../../lib/bearer.js';
import { AppError } from '../../lib/errors.js';
import { looksLikeApiKey } from './api-key.js';
import type { AuthenticatedKey, KeysService } from './keys.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key of a /v1 request (its id and cap: a level of the call's budget). */
    apiKey?: AuthenticatedKey;
  }
}

export function createApiKeyAuthenticate(keys: Pick<KeysService, 'authenticate'>): Authenticate {
  return async (request) => {
    const key = bearerToken(request);
    if (!key) throw new AppError('API_KEY_INVALID', 'Send your API key as "Authorization: Bearer qc_..."; POST /api/keys creates one.');
    const found = await keys.authenticate(key);
    request.user = found.user;
    request.apiKey = found.key;
  };
}

/** For the /api guard (auth's createAuthenticate): what to tell someone who sends a key there. */
export function explainApiKeyOnApi(token: string): string | undefined {
  return looksLikeApiKey(token) ? 'API keys work only on the OpenAI-compatible API under /v1; /api takes the access token of a login.' : undefined;
}

export function registerApiKeyDecorator(app: FastifyInstance) {
  app.decorateRequest('apiKey', undefined);
}

/** The key of a request behind the API-key guard (which always sets it). */
export function currentApiKey(request: FastifyRequest): AuthenticatedKey {
  if (!request.apiKey) throw new AppError('API_KEY_INVALID');
  return request.apiKey;
}
