// The signed-in user's preferences: read them, replace them.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import { preferencesResponse, putPreferencesBody, toPreferencesResponse } from './preferences.schemas.js';
import type { PreferencesService } from './preferences.service.js';

export const preferencesRoutes: FastifyPluginAsyncZod<{ preferences: PreferencesService; authenticate: Authenticate }> = async (app, opts) => {
  const { preferences } = opts;
  const tags = ['preferences'];
  const security = [{ bearerAuth: [] }];
  app.addHook('onRequest', opts.authenticate);

  app.get('/', {
    schema: { tags, security, summary: 'Your preferences: the default instructions of new conversations', response: { 200: preferencesResponse } },
    handler: async (request) => toPreferencesResponse(await preferences.get(currentUser(request).id)),
  });

  app.put('/', {
    schema: {
      tags,
      security,
      summary: 'Replace your preferences',
      description:
        'New conversations start with `default_system_prompt`; existing ones keep theirs. Over 20,000 characters answers 422 `SYSTEM_PROMPT_TOO_LONG`.',
      body: putPreferencesBody,
      response: { 200: preferencesResponse },
    },
    handler: async (request) => {
      const saved = await preferences.put(currentUser(request).id, { defaultSystemPrompt: request.body.default_system_prompt });
      return toPreferencesResponse(saved);
    },
  });
};
