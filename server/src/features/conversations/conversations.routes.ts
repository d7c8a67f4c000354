import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import {
  conversationListResponse,
  conversationResponse,
  conversationWithMessagesResponse,
  createConversationBody,
  exportQuery,
  idParams,
  listConversationsQuery,
  showBranchBody,
  toConversationResponse,
  toConversationWithMessagesResponse,
  updateConversationBody,
} from './conversations.schemas.js';
import type { ConversationsService } from './conversations.service.js';

export const conversationsRoutes: FastifyPluginAsyncZod<{ conversations: ConversationsService; authenticate: Authenticate }> = async (app, opts) => {
  const { conversations } = opts;
  const tags = ['conversations'];
  const security = [{ bearerAuth: [] }];
  app.addHook('onRequest', opts.authenticate);

  app.get('/', {
    schema: {
      tags,
      security,
      summary: 'Your conversations: pinned first, then most recently active; ?q= searches titles and messages',
      querystring: listConversationsQuery,
      response: { 200: conversationListResponse },
    },
    handler: async (request) => conversations.list({ userId: currentUser(request).id, ...request.query }),
  });

  app.post('/', {
    schema: { tags, security, summary: 'Start an empty conversation', body: createConversationBody, response: { 201: conversationResponse } },
    handler: async (request, reply) => {
      const { title, model, system_prompt } = request.body;
      const row = await conversations.create({ user: currentUser(request), title, model, systemPrompt: system_prompt });
      return reply.code(201).send(toConversationResponse(row));
    },
  });

  app.get('/:id', {
    schema: {
      tags,
      security,
      summary: 'One conversation with the branch of messages shown, in order, and the versions of each',
      params: idParams,
      response: { 200: conversationWithMessagesResponse },
    },
    handler: async (request) => toConversationWithMessagesResponse(await conversations.get({ userId: currentUser(request).id, id: request.params.id })),
  });

  app.put('/:id/current', {
    schema: {
      tags,
      security,
      summary: 'Show another version: the branch through one message, which the next message continues',
      description:
        'The branch runs from the first message to `message_id`, then down its newest replies. Answers the conversation as `GET` does. A message of another conversation is a 404.',
      params: idParams,
      body: showBranchBody,
      response: { 200: conversationWithMessagesResponse },
    },
    handler: async (request) =>
      toConversationWithMessagesResponse(
        await conversations.showBranch({ userId: currentUser(request).id, id: request.params.id, messageId: request.body.message_id }),
      ),
  });

  app.patch('/:id', {
    schema: {
      tags,
      security,
      summary: 'Rename, pin, archive, or change the system prompt or model',
      params: idParams,
      body: updateConversationBody,
      response: { 200: conversationResponse },
    },
    handler: async (request) => {
      const { system_prompt, ...rest } = request.body;
      const changes = { ...rest, ...(system_prompt !== undefined ? { systemPrompt: system_prompt } : {}) };
      return toConversationResponse(await conversations.update({ user: currentUser(request), id: request.params.id, changes }));
    },
  });

  app.delete('/:id', {
    schema: { tags, security, summary: 'Delete a conversation and its messages', params: idParams, response: { 204: z.null() } },
    handler: async (request, reply) => {
      await conversations.remove({ userId: currentUser(request).id, id: request.params.id });
      return reply.code(204).send(null);
    },
  });

  app.get('/:id/export', {
    schema: { tags, security, summary: 'Download a conversation as JSON or Markdown', params: idParams, querystring: exportQuery },
    handler: async (request, reply) => {
      const file = await conversations.export({ userId: currentUser(request).id, id: request.params.id, format: request.query.format });
      return reply.type(file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.body);
    },
  });
};
