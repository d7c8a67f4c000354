import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import { modelsResponse, toModelResponse } from './models.schemas.js';
import type { ModelsService } from './models.service.js';

export const modelsRoutes: FastifyPluginAsyncZod<{ models: ModelsService; authenticate: Authenticate }> = async (app, opts) => {
  app.get('/api/models', {
    onRequest: opts.authenticate,
    schema: {
      tags: ['models'],
      summary: 'The models your plan may use, and the default one',
      security: [{ bearerAuth: [] }],
      response: { 200: modelsResponse },
    },
    handler: async (request) => {
      const { tier } = currentUser(request);
      return { models: opts.models.listForTier(tier).map(toModelResponse), default_model: opts.models.defaultForTier(tier) };
    },
  });
};
