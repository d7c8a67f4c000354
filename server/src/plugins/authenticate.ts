// Sets request.user from a Bearer credential. Every authenticated request loads the user, so a
// deactivated or deleted account is refused at once, whatever its token's expiry says.
//
// Two credentials, each for its own routes, never both: the browser session's access token (a JWT)
// for /api, personal API keys for /v1. Keys are for programs: long-lived, kept in config files and
// CI secrets, so one that leaks must reach only the metered model calls, never the account (password,
// other keys, conversations, admin). Access tokens are for people in the web app: short-lived, and
// nothing gains from letting a script borrow one for /v1 when it can have a key it can revoke.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';
import type { AuthService } from '../modules/auth/auth.service.js';
import { looksLikeApiKey } from '../modules/keys/api-key.js';
import type { KeysService } from '../modules/keys/keys.service.js';
import type { UserRow } from '../modules/users/users.repository.js';

declare module 'fastify' {
  interface FastifyRequest {
    user?: UserRow;
  }
}

export type Authenticate = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

function bearerToken(request: FastifyRequest): string | undefined {
  return request.headers.authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}

/** For /api: the access token of a login. */
export function createAuthenticate(auth: AuthService): Authenticate {
  return async (request) => {
    const token = bearerToken(request);
    if (!token) throw new AppError('UNAUTHENTICATED', 'Send an access token as "Authorization: Bearer <token>".');
    if (looksLikeApiKey(token)) {
      throw new AppError('TOKEN_INVALID', 'API keys work only on the OpenAI-compatible API under /v1; /api takes the access token of a login.');
    }
    request.user = await auth.authenticate(token);
  };
}

/** For /v1: a personal API key, as the OpenAI clients send it ("Authorization: Bearer qc_..."). */
export function createApiKeyAuthenticate(keys: KeysService): Authenticate {
  return async (request) => {
    const key = bearerToken(request);
    if (!key) throw new AppError('API_KEY_INVALID', 'Send your API key as "Authorization: Bearer qc_..."; POST /api/keys creates one.');
    request.user = await keys.authenticate(key);
  };
}

export function createRequireAdmin(authenticate: Authenticate): Authenticate {
  return async (request, reply) => {
    await authenticate(request, reply);
    if (request.user?.role !== 'admin') throw new AppError('FORBIDDEN', 'This needs the admin role.');
  };
}

/** The authenticated user; routes behind `authenticate` always have one. */
export function currentUser(request: FastifyRequest): UserRow {
  if (!request.user) throw new AppError('UNAUTHENTICATED');
  return request.user;
}

export function registerAuthDecorators(app: FastifyInstance) {
  app.decorateRequest('user', undefined);
}
