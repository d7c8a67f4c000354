// /v1: the OpenAI-compatible API for programs, authenticated by personal API keys only, with its
// errors in OpenAI's shape (docs/decisions/009-developer-api.md). Register with prefix '/v1'.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../lib/errors.js';
import { clientGoneSignal } from '../../lib/model-calls/client-gone.js';
import type { QuotaState } from '../../lib/model-calls/usage-meter.js';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import { currentApiKey } from '../keys/keys.authenticate.js';
import { COMPLETION_STREAM_HEADERS } from './completion-format.js';
import { chatCompletionBody, chatCompletionResponse, modelListResponse, type ChatCompletion } from './openai-api.schemas.js';
import type { OpenAiApiService } from './openai-api.service.js';
import { registerOpenAiErrorHandler } from './openai-errors.js';
import { rateLimitHeaders, refusalRateLimitHeaders } from './rate-limit-headers.js';

export const openAiApiRoutes: FastifyPluginAsyncZod<{ api: OpenAiApiService; authenticateApiKey: Authenticate }> = async (app, opts) => {
  const { api } = opts;
  const tags = ['openai-compatible'];
  const security = [{ apiKey: [] }];
  registerOpenAiErrorHandler(app);
  app.addHook('onRequest', opts.authenticateApiKey);

  app.get('/models', {
    schema: { tags, security, summary: "The models your plan may use, in OpenAI's list format", response: { 200: modelListResponse } },
    handler: async (request) => api.listModels(currentUser(request), currentApiKey(request).team),
  });

  app.post('/chat/completions', {
    schema: {
      tags,
      security,
      summary: 'OpenAI Chat Completions: a chat.completion, or chat.completion.chunk events (SSE) with "stream": true',
      description:
        'Metered like a chat in the web app (same reservation, limits and usage records) but stateless: no conversation is stored. ' +
        'Errors are OpenAI\'s `{"error": {message, type, param, code}}`.',
      body: chatCompletionBody,
      response: { 200: chatCompletionResponse },
    },
    handler: async (request, reply) => {
      const { body } = request;
      const call = {
        user: currentUser(request),
        // The key is a level of the call's budget: its own cap, its month's usage.
        // A team key's calls go to the team's pool instead of the owner's plan.
        charge: { key: currentApiKey(request), team: currentApiKey(request).team },
        body,
        signal: clientGoneSignal(reply),
        // Known once the call is reserved, before the reply starts: no query of their own.
        onQuota: (quota: QuotaState) => void reply.headers(rateLimitHeaders(quota)),
      };
      try {
        if (!body.stream) return await api.complete(call);
        const events = await api.stream({ ...call, includeUsage: body.stream_options?.include_usage === true });
        // The response schema documents the JSON answer; Fastify pipes a stream without serializing it.
        return reply
          .code(200)
          .headers(COMPLETION_STREAM_HEADERS)
          .send(events as unknown as ChatCompletion);
      } catch (err) {
        // A 429 says where the limit stands too, as OpenAI's do.
        if (err instanceof AppError) reply.headers(refusalRateLimitHeaders(err));
        throw err;
      }
    },
  });
};
