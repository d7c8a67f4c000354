// /api/billing: the plans a user can buy and their subscription, Stripe Checkout and the customer
// portal, and Stripe's webhook. Without STRIPE_SECRET_KEY (billing null) GET answers enabled:false
// and the rest 404 BILLING_DISABLED.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../lib/errors.js';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import { billingResponse, checkoutBody, redirectResponse, webhookResponse } from './billing.schemas.js';
import type { BillingService } from './billing.service.js';

export const billingRoutes: FastifyPluginAsyncZod<{ billing: BillingService | null; authenticate: Authenticate }> = async (app, { billing, authenticate }) => {
  const tags = ['billing'];
  const security = [{ bearerAuth: [] }];
  const enabled = () => {
    if (!billing) throw new AppError('BILLING_DISABLED');
    return billing;
  };

  app.get('/api/billing', {
    onRequest: authenticate,
    schema: { tags, security, summary: 'The plans on sale and your subscription', response: { 200: billingResponse } },
    handler: async (request) => ({
      enabled: billing !== null,
      purchasable: billing?.purchasable ?? [],
      subscription: billing ? await billing.statusOf(currentUser(request)) : null,
    }),
  });

  app.post('/api/billing/checkout', {
    onRequest: authenticate,
    schema: {
      tags,
      security,
      summary: 'Start a Stripe Checkout for a tier; answers where to send the browser',
      body: checkoutBody,
      response: { 200: redirectResponse },
    },
    handler: async (request) => enabled().startCheckout(currentUser(request), request.body.tier),
  });

  app.post('/api/billing/portal', {
    onRequest: authenticate,
    schema: { tags, security, summary: "Open Stripe's customer portal (card, plan, cancellation)", response: { 200: redirectResponse } },
    handler: async (request) => enabled().openPortal(currentUser(request)),
  });

  if (billing) await app.register(webhookRoute, { billing });
};

/**
 * Stripe signs the body exactly as sent, so this route (and only it: its own plugin scope) reads
 * JSON as raw bytes instead of parsing it; the service verifies, then parses.
 */
const webhookRoute: FastifyPluginAsyncZod<{ billing: BillingService }> = async (app, { billing }) => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post('/api/billing/webhook', {
    schema: { tags: ['billing'], summary: "Stripe's events (signed with STRIPE_WEBHOOK_SECRET)", response: { 200: webhookResponse } },
    handler: async (request) => {
      const signature = request.headers['stripe-signature'];
      const outcome = await billing.handleWebhook(request.body as Buffer, typeof signature === 'string' ? signature : undefined);
      return { received: true as const, outcome };
    },
  });
};
