// GET /api/sso: what the login page offers; GET /api/sso/login: off to the provider; GET
// /api/sso/callback: back from it, with the refresh cookie of a new session and a redirect into
// the app, which trades the cookie for an access token as on any page load.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { clientOf, setRefreshCookie } from '../auth/auth.routes.js';
import { callbackQuery, ssoInfoResponse, transactionCookie } from './sso.schemas.js';
import type { SsoService } from './sso.service.js';

const TX_COOKIE = 'sso_tx';
const TX_PATH = '/api/sso/callback';

export interface SsoRoutesOptions {
  /** Null when single sign-on is off. */
  sso: SsoService | null;
  passwordSignUp: boolean;
  secureCookies: boolean;
}

export const ssoRoutes: FastifyPluginAsyncZod<SsoRoutesOptions> = async (app, opts) => {
  const tags = ['sso'];
  const enabled = (): SsoService => {
    if (!opts.sso) throw new AppError('SSO_DISABLED');
    return opts.sso;
  };
  const clearTransaction = (reply: FastifyReply) => reply.clearCookie(TX_COOKIE, { path: TX_PATH });

  app.get('/', {
    schema: { tags, summary: 'The single sign-on provider the login page offers, if any', response: { 200: ssoInfoResponse } },
    handler: async () => ({
      provider: opts.sso ? { name: opts.sso.describe().name, login_url: '/api/sso/login' } : null,
      password_sign_up: opts.passwordSignUp,
    }),
  });

  app.get('/login', {
    schema: { tags, summary: 'Start signing in with the identity provider (a redirect to it)', response: { 302: z.null() } },
    handler: async (_request, reply) => {
      const { url, transaction } = await enabled().begin();
      // Lax: the callback arrives as a top-level navigation from the provider's site.
      reply.setCookie(TX_COOKIE, Buffer.from(JSON.stringify(transaction)).toString('base64url'), {
        httpOnly: true,
        sameSite: 'lax',
        secure: opts.secureCookies,
        path: TX_PATH,
        maxAge: 600,
      });
      reply.header('cache-control', 'no-store');
      return reply.redirect(url.href, 302);
    },
  });

  app.get('/callback', {
    schema: {
      tags,
      summary: 'Where the identity provider sends the browser back: a session, then a redirect into the app',
      querystring: callbackQuery,
      response: { 302: z.null() },
    },
    handler: async (request, reply) => {
      const sso = enabled();
      clearTransaction(reply); // one attempt per transaction, whatever its outcome
      const transaction = parseTransaction(request.cookies[TX_COOKIE]);
      const params = new URLSearchParams(Object.entries(request.query).filter((e): e is [string, string] => e[1] !== undefined));
      const session = await sso.complete(params, transaction, clientOf(request));
      setRefreshCookie(reply, session, { secure: opts.secureCookies });
      reply.header('cache-control', 'no-store');
      return reply.redirect('/', 302);
    },
  });
};

function parseTransaction(cookie: string | undefined) {
  if (!cookie) throw new AppError('SSO_FAILED', 'This sign-in was not started here, or took longer than 10 minutes.');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cookie, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = transactionCookie.safeParse(json);
  if (!parsed.success) throw new AppError('SSO_FAILED', 'This sign-in was not started here.');
  return parsed.data;
}
