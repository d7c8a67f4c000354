// Sets request.user from a Bearer credential. Every authenticated request loads the user, so a
// deactivated or deleted account, or an access token whose session has ended, is refused at once,
// whatever the token's expiry says.
//
// Two credentials, each for its own routes, never both: the browser session's access token (a JWT)
// for /api, personal API keys for /v1 (keys/keys.authenticate.ts). Keys are for programs:
// long-lived, kept in config files and CI secrets, so one that leaks must reach only the metered
// model calls, never the account (password, other keys, conversations, admin). Access tokens are
// for people in the web app: short-lived, and nothing gains from letting a script borrow one for
// /v1 when it can have a key it can revoke.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken, type Authenticate } from '../../lib/bearer.js';
import { AppError } from '../../lib/errors.js';
import type { UserRow } from '../users/users.service.js';
import type { AuthService } from './auth.service.js';

export type { Authenticate } from '../../lib/bearer.js';

declare module 'fastify' {
  interface FastifyRequest {
    user?: UserRow;
    /** The session (refresh-token family) of the access token; unset for API keys. */
    sessionId?: string;
  }
}

export interface AuthenticateOptions {
  /**
   * Recognises a credential of another kind sent here by mistake (an API key: see
   * keys.authenticate.ts) and answers what to tell its sender; undefined for anything else.
   */
  explainOtherCredential?: (token: string) => string | undefined;
}

/** For /api: the access token of a login. */
export function createAuthenticate(auth: Pick<AuthService, 'authenticate'>, { explainOtherCredential }: AuthenticateOptions = {}): Authenticate {
  return async (request) => {
    const token = bearerToken(request);
    if (!token) throw new AppError('UNAUTHENTICATED', 'Send an access token as "Authorization: Bearer <token>".');
    const other = explainOtherCredential?.(token);
    if (other) throw new AppError('TOKEN_INVALID', other);
    const { user, sessionId } = await auth.authenticate(token);
    request.user = user;
    request.sessionId = sessionId;
  };
}

export function createRequireAdmin(authenticate: Authenticate): Authenticate {
  return async (request, reply) => {
    await authenticate(request, reply);
    if (request.user?.role !== 'admin') throw new AppError('FORBIDDEN', 'This needs the admin role.');
  };
}

/** The authenticated user; routes behind `authenticate` (or the API-key guard) always have one. */
export function currentUser(request: FastifyRequest): UserRow {
  if (!request.user) throw new AppError('UNAUTHENTICATED');
  return request.user;
}

/** The session of the access token; routes behind `authenticate` always have one. */
export function currentSessionId(request: FastifyRequest): string {
  if (!request.sessionId) throw new AppError('UNAUTHENTICATED');
  return request.sessionId;
}

export function registerAuthDecorators(app: FastifyInstance) {
  app.decorateRequest('user', undefined);
  app.decorateRequest('sessionId', undefined);
}
