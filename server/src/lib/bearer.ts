// The credential of a request, as "Authorization: Bearer <credential>", and the shape of the
// guards that check one (auth's access tokens on /api, keys' API keys on /v1).
import type { FastifyReply, FastifyRequest } from 'fastify';

/** An onRequest hook that sets request.user or throws the problem a client should see. */
export type Authenticate = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function bearerToken(request: FastifyRequest): string | undefined {
  return request.headers.authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}
