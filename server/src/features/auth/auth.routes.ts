import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { toUserResponse, userResponse } from '../users/users.schemas.js';
import { changePasswordBody, loginBody, registerBody, tokenResponse } from './auth.schemas.js';
import type { AuthService, Session, SessionClient } from './auth.service.js';
import { currentSessionId, currentUser, type Authenticate } from './authenticate.js';
import { sessionsRoutes } from './sessions.routes.js';

export const REFRESH_COOKIE = 'refresh_token';
const COOKIE_PATH = '/api/auth';
/**
 * A hint the web app can read (not HttpOnly) that this browser holds a session, so that a page
 * load asks for a refresh only then, not with a 401 for every signed-out visitor. It says "1" and
 * nothing else: no secret, and forging it only earns the 401 it spared (docs/decisions/020).
 */
export const SIGNED_IN_COOKIE = 'qc_signed_in';

/** Clears the refresh cookie and its hint, on any route under /api/auth (logout, a failed refresh, a deleted account). */
export function clearRefreshCookie(reply: FastifyReply): void {
  reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
  reply.clearCookie(SIGNED_IN_COOKIE, { path: '/' });
}

/** Sets the refresh cookie of a new or rotated session (login, refresh, single sign-on's callback), and its hint. */
export function setRefreshCookie(reply: FastifyReply, session: Session, { secure }: { secure: boolean }): void {
  reply.setCookie(REFRESH_COOKIE, session.refreshToken, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: COOKIE_PATH,
    expires: session.refreshExpiresAt,
  });
  reply.setCookie(SIGNED_IN_COOKIE, '1', { httpOnly: false, sameSite: 'strict', secure, path: '/', expires: session.refreshExpiresAt });
}

/** What the session list shows of who holds it: the browser and the address the proxy reports. */
export const clientOf = (request: FastifyRequest): SessionClient => ({
  userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
  ip: request.ip.slice(0, 64),
});

export interface AuthRoutesOptions {
  auth: AuthService;
  authenticate: Authenticate;
  secureCookies: boolean;
  allowedOrigins: string[];
  /** False when accounts come from single sign-on only (OIDC_ONLY): register is refused. */
  passwordSignUp?: boolean;
}

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, opts) => {
  const { auth, authenticate } = opts;
  const tags = ['auth'];

  function sendSession(reply: FastifyReply, session: Session) {
    setRefreshCookie(reply, session, { secure: opts.secureCookies });
    reply.header('cache-control', 'no-store');
    return { access_token: session.accessToken, token_type: 'bearer' as const, expires_in: session.expiresIn, user: toUserResponse(session.user) };
  }

  // The refresh cookie is SameSite=Strict already; refusing foreign Origins as well closes the
  // remaining cross-site paths (old browsers, sibling subdomains). Login, refresh and logout check it.
  function checkOrigin(request: FastifyRequest) {
    const origin = request.headers.origin;
    if (!origin) return;
    const own = `${request.protocol}://${request.host}`;
    if (origin !== own && !opts.allowedOrigins.includes(origin)) throw new AppError('ORIGIN_NOT_ALLOWED');
  }

  app.post('/register', {
    schema: { tags, summary: 'Create an account', body: registerBody, response: { 201: userResponse } },
    handler: async (request, reply) => {
      if (opts.passwordSignUp === false) throw new AppError('SIGN_UP_DISABLED');
      const user = await auth.register({ ...request.body, ip: request.ip });
      return reply.code(201).send(toUserResponse(user));
    },
  });

  // Only the login route accepts the OAuth2 password form; everything else is JSON only.
  await app.register(async (formScope) => {
    await formScope.register(formbody, { bodyLimit: 8192 });
    formScope.withTypeProvider<import('fastify-type-provider-zod').ZodTypeProvider>().post('/login', {
      schema: {
        tags,
        summary: 'Log in with email and password (JSON, or the OAuth2 password form with username)',
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: loginBody,
        response: { 200: tokenResponse.extend({ user: userResponse }) },
      },
      handler: async (request, reply) => {
        // Login CSRF: a foreign page's form post would sign the browser into the attacker's account.
        checkOrigin(request);
        const email = request.body.email ?? request.body.username ?? '';
        return sendSession(reply, await auth.login({ email, password: request.body.password, ip: request.ip, client: clientOf(request) }));
      },
    });
  });

  app.post('/refresh', {
    schema: { tags, summary: 'Rotate the refresh cookie and get a new access token', response: { 200: tokenResponse.extend({ user: userResponse }) } },
    handler: async (request, reply) => {
      checkOrigin(request);
      try {
        return sendSession(reply, await auth.refresh({ refreshToken: request.cookies[REFRESH_COOKIE], client: clientOf(request) }));
      } catch (err) {
        clearRefreshCookie(reply);
        throw err;
      }
    },
  });

  app.post('/logout', {
    schema: { tags, summary: 'End this session (revokes its refresh tokens)', response: { 204: z.null().describe('Logged out') } },
    handler: async (request, reply) => {
      checkOrigin(request);
      await auth.logout({ refreshToken: request.cookies[REFRESH_COOKIE] });
      clearRefreshCookie(reply);
      return reply.code(204).send(null);
    },
  });

  app.get('/me', {
    onRequest: authenticate,
    schema: { tags, summary: 'The current user', security: [{ bearerAuth: [] }], response: { 200: userResponse } },
    handler: async (request) => toUserResponse(currentUser(request)),
  });

  app.post('/password', {
    onRequest: authenticate,
    schema: {
      tags,
      summary: 'Change the password (ends other sessions)',
      security: [{ bearerAuth: [] }],
      body: changePasswordBody,
      response: { 204: z.null() },
    },
    handler: async (request, reply) => {
      await auth.changePassword({
        userId: currentUser(request).id,
        sessionId: currentSessionId(request),
        currentPassword: request.body.current_password,
        newPassword: request.body.new_password,
      });
      return reply.code(204).send(null);
    },
  });

  await app.register(sessionsRoutes, { prefix: '/sessions', auth, authenticate });
};
