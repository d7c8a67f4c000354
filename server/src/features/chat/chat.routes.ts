import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientGoneSignal } from '../../lib/model-calls/client-gone.js';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import { chatBody, replyParams } from './chat.schemas.js';
import type { ChatService } from './chat.service.js';
import { CHAT_STREAM_HEADERS } from './ui-stream.js';

export const chatRoutes: FastifyPluginAsyncZod<{ chat: ChatService; authenticate: Authenticate }> = async (app, opts) => {
  const tags = ['chat'];
  const security = [{ bearerAuth: [] }];

  app.post('/api/chat', {
    onRequest: opts.authenticate,
    schema: {
      tags,
      summary: 'Send, regenerate or edit a message; the reply streams as an AI SDK UI message stream (SSE)',
      description:
        'Problems found before the reply starts (validation, unknown conversation or model, quota, provider refusal) are problem+json responses. After it starts, a failure is an `error` part, then the stream ends. The reply is generated to its end even if this connection closes: re-attach with `GET /api/chat/{conversation_id}/stream`, end it early with `POST /api/chat/{conversation_id}/stop`.',
      security,
      body: chatBody,
    },
    handler: async (request, reply) => {
      const stream = await opts.chat.chat({ user: currentUser(request), body: request.body, signal: clientGoneSignal(reply) });
      return reply.code(200).headers(CHAT_STREAM_HEADERS).send(stream);
    },
  });

  app.get('/api/chat/:conversation_id/stream', {
    onRequest: opts.authenticate,
    schema: {
      tags,
      summary: 'Re-attach to the reply being written in a conversation (after a reload, a lost connection, in another tab)',
      description:
        'The same UI message stream as `POST /api/chat`, from the start of the reply (its text so far as one delta), then live, whichever server process writes it. 204 when no reply is being written there.',
      security,
      params: replyParams,
    },
    handler: async (request, reply) => {
      const stream = await opts.chat.attach({
        userId: currentUser(request).id,
        conversationId: request.params.conversation_id,
        signal: clientGoneSignal(reply),
      });
      if (!stream) return reply.code(204).send();
      return reply.code(200).headers(CHAT_STREAM_HEADERS).send(stream);
    },
  });

  app.post('/api/chat/:conversation_id/stop', {
    onRequest: opts.authenticate,
    schema: {
      tags,
      summary: 'Stop the reply being written in a conversation',
      description:
        'The reply ends as `stopped` with the text written so far, which its readers receive before the stream ends, with the usage. 202 names the reply stopped; 204 when none was being written.',
      security,
      params: replyParams,
      response: { 202: z.object({ message_id: z.string() }), 204: z.null().describe('No reply was being written') },
    },
    handler: async (request, reply) => {
      const stopped = await opts.chat.stop({ userId: currentUser(request).id, conversationId: request.params.conversation_id });
      if (!stopped) return reply.code(204).send(null);
      return reply.code(202).send(stopped);
    },
  });
};
