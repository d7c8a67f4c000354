import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { clientGoneSignal } from '../../lib/model-calls/client-gone.js';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import { chatBody } from './chat.schemas.js';
import type { ChatService } from './chat.service.js';
import { CHAT_STREAM_HEADERS } from './ui-stream.js';

export const chatRoutes: FastifyPluginAsyncZod<{ chat: ChatService; authenticate: Authenticate }> = async (app, opts) => {
  app.post('/api/chat', {
    onRequest: opts.authenticate,
    schema: {
      tags: ['chat'],
      summary: 'Send, regenerate or edit a message; the reply streams as an AI SDK UI message stream (SSE)',
      description:
        'Problems found before the reply starts (validation, unknown conversation or model, quota, provider refusal) are problem+json responses. After it starts, a failure is an `error` part, then the stream ends.',
      security: [{ bearerAuth: [] }],
      body: chatBody,
    },
    handler: async (request, reply) => {
      const stream = await opts.chat.chat({ user: currentUser(request), body: request.body, signal: clientGoneSignal(reply) });
      return reply.code(200).headers(CHAT_STREAM_HEADERS).send(stream);
    },
  });
};
