// Sets request.user from a Bearer access token. Every authenticated request loads the user, so a
// deactivated or deleted account is refused at once, whatever its token's expiry says.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';
import type { AuthService } from '../modules/auth/auth.service.js';
import type { UserRow } from '../modules/users/users.repository.js';

declare module 'fastify' {
  interface FastifyRequest {
    user?: UserRow;
  }
}

export type Authenticate = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function createAuthenticate(auth: AuthService): Authenticate {
  return async (request) => {
    const header = request.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match) throw new AppError('UNAUTHENTICATED', 'Send an access token as "Authorization: Bearer <token>".');
    request.user = await auth.authenticate(match[1]!);
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
