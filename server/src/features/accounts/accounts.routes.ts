// Under /api/auth: password reset, email verification, the sign-in options, and deleting one's own
// account (there, so that its answer can clear the refresh cookie, which is scoped to /api/auth).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clearRefreshCookie } from '../auth/auth.routes.js';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import { acceptedResponse, authOptionsResponse, deleteAccountBody, passwordResetBody, passwordResetConfirmBody, verifyEmailBody } from './accounts.schemas.js';
import type { AccountsService } from './accounts.service.js';

export interface AccountsRoutesOptions {
  accounts: AccountsService;
  authenticate: Authenticate;
}

export const accountsRoutes: FastifyPluginAsyncZod<AccountsRoutesOptions> = async (app, { accounts, authenticate }) => {
  const tags = ['accounts'];
  const security = [{ bearerAuth: [] }];

  app.get('/options', {
    schema: { tags, summary: 'What the sign-in pages offer', response: { 200: authOptionsResponse } },
    handler: async () => accounts.options(),
  });

  app.post('/password-reset', {
    schema: {
      tags,
      summary: 'Mail a password-reset link (the same answer whether or not the email has an account)',
      body: passwordResetBody,
      response: { 202: acceptedResponse },
    },
    handler: async (request, reply) => {
      await accounts.requestPasswordReset({ email: request.body.email, ip: request.ip });
      reply.header('cache-control', 'no-store');
      return reply.code(202).send({ detail: 'If an account has this email, a link to reset its password is on its way.' });
    },
  });

  app.post('/password-reset/confirm', {
    schema: { tags, summary: 'Set a new password with a mailed link (ends every session)', body: passwordResetConfirmBody, response: { 204: z.null() } },
    handler: async (request, reply) => {
      await accounts.resetPassword(request.body);
      return reply.code(204).send(null);
    },
  });

  app.post('/verify-email', {
    schema: { tags, summary: 'Confirm the email address with a mailed link', body: verifyEmailBody, response: { 204: z.null() } },
    handler: async (request, reply) => {
      await accounts.verifyEmail(request.body);
      return reply.code(204).send(null);
    },
  });

  app.post('/verify-email/resend', {
    onRequest: authenticate,
    schema: { tags, security, summary: 'Mail the verification link again (rate limited)', response: { 202: acceptedResponse } },
    handler: async (request, reply) => {
      await accounts.resendVerification(currentUser(request));
      return reply.code(202).send({ detail: 'A new confirmation link is on its way.' });
    },
  });

  app.delete('/account', {
    onRequest: authenticate,
    schema: {
      tags,
      security,
      summary: 'Delete this account (asks for the password); usage records stay, detached',
      body: deleteAccountBody,
      response: { 204: z.null() },
    },
    handler: async (request, reply) => {
      await accounts.deleteAccount({ userId: currentUser(request).id, password: request.body.password });
      clearRefreshCookie(reply);
      return reply.code(204).send(null);
    },
  });
};
