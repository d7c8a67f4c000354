// The user's own API keys, managed with the browser session (JWT) like every /api route. The keys
// themselves are accepted only by the /v1 routes (plugins/authenticate.ts says why).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import {
  apiKeyIdParams,
  apiKeyListResponse,
  apiKeyResponse,
  createApiKeyBody,
  createdApiKeyResponse,
  toApiKeyResponse,
  updateApiKeyBody,
  type UpdateApiKeyBody,
} from './keys.schemas.js';
import type { KeysService } from './keys.service.js';

export const keysRoutes: FastifyPluginAsyncZod<{ keys: KeysService; authenticate: Authenticate }> = async (app, opts) => {
  const { keys } = opts;
  const tags = ['keys'];
  const security = [{ bearerAuth: [] }];
  app.addHook('onRequest', opts.authenticate);

  app.get('/', {
    schema: { tags, security, summary: 'Your API keys, newest first (never the keys themselves)', response: { 200: apiKeyListResponse } },
    handler: async (request) => ({ items: (await keys.list(currentUser(request).id)).map(toApiKeyResponse) }),
  });

  app.post('/', {
    schema: {
      tags,
      security,
      summary: 'Create an API key for the /v1 API; the answer is the only time the key is shown',
      description:
        'At most 20 keys at once: another answers 409 `API_KEY_LIMIT`. `monthly_token_cap` limits what the key may use in a month (inside your plan: ' +
        'a call over it answers 429 with `level: key_cap`); after `expires_at` the key answers 401.',
      body: createApiKeyBody,
      response: { 201: createdApiKeyResponse },
    },
    handler: async (request, reply) => {
      const { name, monthly_token_cap, expires_at, team_id } = request.body;
      const created = await keys.create(currentUser(request).id, name, budgetOf({ monthly_token_cap, expires_at }), team_id ?? null);
      return reply.code(201).send({ ...toApiKeyResponse(created), key: created.key });
    },
  });

  app.patch('/:id', {
    schema: {
      tags,
      security,
      summary:
        'Rename a key, change its monthly cap or expiry (null removes them), or move it to another of your teams (team_id null: your own plan); calls in flight keep what they reserved',
      params: apiKeyIdParams,
      body: updateApiKeyBody,
      response: { 200: apiKeyResponse },
    },
    handler: async (request) => {
      const { name, team_id, ...budget } = request.body;
      const changes = { ...(name !== undefined && { name }), ...(team_id !== undefined && { teamId: team_id }), ...budgetOf(budget) };
      return toApiKeyResponse(await keys.update(currentUser(request).id, request.params.id, changes));
    },
  });

  app.delete('/:id', {
    schema: { tags, security, summary: 'Revoke an API key: it stops working at once', params: apiKeyIdParams, response: { 204: z.null() } },
    handler: async (request, reply) => {
      await keys.revoke(currentUser(request).id, request.params.id);
      return reply.code(204).send(null);
    },
  });
};

/** The fields sent, in the service's terms: an absent field is left as it is, null clears it. */
function budgetOf(body: Pick<UpdateApiKeyBody, 'monthly_token_cap' | 'expires_at'>) {
  return {
    ...(body.monthly_token_cap !== undefined && { monthlyTokenCap: body.monthly_token_cap }),
    ...(body.expires_at !== undefined && { expiresAt: body.expires_at === null ? null : new Date(body.expires_at) }),
  };
}
