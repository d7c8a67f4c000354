import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ModelSpec } from '../../lib/model-calls/model-spec.js';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import { modelsResponse, toModelResponse } from './models.schemas.js';
import type { ModelsService } from './models.service.js';

export const modelsRoutes: FastifyPluginAsyncZod<{ models: ModelsService; authenticate: Authenticate }> = async (app, opts) => {
  app.get('/api/models', {
    onRequest: opts.authenticate,
    schema: {
      tags: ['models'],
      summary: 'The models your plan may use, the default one, and the others with the plans that include them',
      security: [{ bearerAuth: [] }],
      response: { 200: modelsResponse },
    },
    handler: async (request) => {
      const { tier } = currentUser(request);
      const { models } = opts;
      const shape = (m: ModelSpec) => toModelResponse(m, models.tiersWith(m.id));
      return { models: models.listForTier(tier).map(shape), default_model: models.defaultForTier(tier), other_models: models.listOutsideTier(tier).map(shape) };
    },
  });
};
