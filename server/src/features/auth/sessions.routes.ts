// A person's sessions (refresh-token families, docs/decisions/002): list them, end one, or end all
// but the current one. Ending a session stops its refresh token and its access tokens at once.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthService } from './auth.service.js';
import { currentSessionId, currentUser, type Authenticate } from './authenticate.js';
import { sessionIdParams, sessionsResponse, toSessionResponse } from './sessions.schemas.js';

export const sessionsRoutes: FastifyPluginAsyncZod<{ auth: AuthService; authenticate: Authenticate }> = async (app, { auth, authenticate }) => {
  const tags = ['auth'];
  const security = [{ bearerAuth: [] }];
  app.addHook('onRequest', authenticate);

  app.get('/', {
    schema: { tags, security, summary: 'The active sessions of this account', response: { 200: sessionsResponse } },
    handler: async (request) => ({ items: (await auth.listSessions(currentUser(request).id, currentSessionId(request))).map(toSessionResponse) }),
  });

  app.delete('/', {
    schema: { tags, security, summary: 'End every session but this one', response: { 204: z.null() } },
    handler: async (request, reply) => {
      await auth.endSessionsOf(currentUser(request).id, { exceptSessionId: currentSessionId(request) });
      return reply.code(204).send(null);
    },
  });

  app.delete('/:id', {
    schema: {
      tags,
      security,
      summary: 'End one session (404 for one that is not this account’s or has ended)',
      params: sessionIdParams,
      response: { 204: z.null() },
    },
    handler: async (request, reply) => {
      await auth.endSession(currentUser(request).id, request.params.id);
      return reply.code(204).send(null);
    },
  });
};
