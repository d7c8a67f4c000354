import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import { idParams } from '../conversations/conversations.schemas.js';
import { sharedConversationResponse, shareLinkResponse, shareStatusResponse, tokenParams } from './sharing.schemas.js';
import type { SharingService } from './sharing.service.js';

const tags = ['sharing'];

/** The owner's settings of a conversation's link: /api/conversations/{id}/share. */
export const shareSettingsRoutes: FastifyPluginAsyncZod<{ sharing: SharingService; authenticate: Authenticate }> = async (app, { sharing, authenticate }) => {
  const security = [{ bearerAuth: [] }];
  app.addHook('onRequest', authenticate);

  app.get('/:id/share', {
    schema: { tags, security, summary: "The conversation's shared link, if it has one", params: idParams, response: { 200: shareStatusResponse } },
    handler: async (request) => sharing.status({ userId: currentUser(request).id, conversationId: request.params.id }),
  });

  app.put('/:id/share', {
    schema: {
      tags,
      security,
      summary: 'Share the conversation as a read-only link, or update the link to show the conversation as it is now',
      description:
        'The link shows the branch shown now, up to its last message; messages written later appear only once the link is updated. Updating keeps the URL. 201 when the link is new.',
      params: idParams,
      response: { 200: z.object({ link: shareLinkResponse }), 201: z.object({ link: shareLinkResponse }) },
    },
    handler: async (request, reply) => {
      const { created, link } = await sharing.share({ userId: currentUser(request).id, conversationId: request.params.id });
      return reply.code(created ? 201 : 200).send({ link });
    },
  });

  app.delete('/:id/share', {
    schema: { tags, security, summary: 'Delete the shared link: it stops working at once', params: idParams, response: { 204: z.null() } },
    handler: async (request, reply) => {
      await sharing.revoke({ userId: currentUser(request).id, conversationId: request.params.id });
      return reply.code(204).send(null);
    },
  });
};

/** The public read of a link: no account, limited per address, kept out of search engines. */
export const sharedLinkRoutes: FastifyPluginAsyncZod<{ sharing: SharingService }> = async (app, { sharing }) => {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-robots-tag', 'noindex, nofollow');
    // The token is in this URL: no Referer may carry it to a site the conversation links to.
    reply.header('referrer-policy', 'no-referrer');
    // A deleted link must stop working at once, also in caches.
    reply.header('cache-control', 'no-store');
  });

  app.get('/:token', {
    schema: {
      tags,
      summary: 'A shared conversation, read only: its title and messages as they were when the link was made or updated',
      description: 'A deleted or unknown link is a 404. Reads are limited per client address (SHARED_LINK_RATE_LIMIT_PER_MINUTE).',
      params: tokenParams,
      response: { 200: sharedConversationResponse },
    },
    handler: async (request) => sharing.read({ token: request.params.token, ip: request.ip }),
  });
};
