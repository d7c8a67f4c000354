// buildApp wires HTTP: Fastify plugins, then each module's routes over the services that
// buildServices (services.ts) builds. It never listens and never reads process.env, so tests build
// it with their own config, database and clock.
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import { accountsRoutes } from './features/accounts/accounts.routes.js';
import { createRequireVerifiedEmail } from './features/accounts/require-verified.js';
import { adminRoutes } from './features/admin/admin.routes.js';
import { authRoutes } from './features/auth/auth.routes.js';
import { createAuthenticate, createRequireAdmin, registerAuthDecorators } from './features/auth/authenticate.js';
import { billingRoutes } from './features/billing/billing.routes.js';
import { chatRoutes } from './features/chat/chat.routes.js';
import { conversationsRoutes } from './features/conversations/conversations.routes.js';
import { healthRoutes } from './features/health/health.routes.js';
import { createApiKeyAuthenticate, explainApiKeyOnApi, registerApiKeyDecorator } from './features/keys/keys.authenticate.js';
import { keysRoutes } from './features/keys/keys.routes.js';
import { modelsRoutes } from './features/models/models.routes.js';
import { openAiApiRoutes } from './features/openai-api/openai-api.routes.js';
import { isOpenAiPath, renderOpenAiError } from './features/openai-api/openai-errors.js';
import { plansRoutes } from './features/plans/plans.routes.js';
import { preferencesRoutes } from './features/preferences/preferences.routes.js';
import { sharedLinkRoutes, shareSettingsRoutes } from './features/sharing/sharing.routes.js';
import { ssoRoutes } from './features/sso/sso.routes.js';
import { teamsRoutes } from './features/teams/teams.routes.js';
import { usageRoutes } from './features/usage/usage.routes.js';
import { APP_VERSION } from './lib/version.js';
import { closeConnectionsOnClose } from './platform/http/close-connections.js';
import { frameworkErrorOptions } from './platform/http/framework-errors.js';
import { registerProblemHandler, renderProblem, type RenderError } from './platform/http/problem-handler.js';
import { registerNulRefusal } from './platform/http/refuse-nul.js';
import { registerRequestLog, requestLogController } from './platform/http/request-log.js';
import { DEFAULT_WEB_DIST, staticWeb, webDistExists } from './platform/http/static-web.js';
import { buildServices, type ServiceDeps, type Services } from './services.js';

export interface AppDeps extends Omit<ServiceDeps, 'log'> {
  /** Where log lines go (stdout when unset); tests pass a memory stream to read what was logged. */
  logStream?: { write(line: string): void };
  /** The built web app to serve (default: web/dist when it has been built); false serves none. */
  webDist?: string | false;
}

// Secrets never reach the logs: credentials in headers, cookies and bodies are censored.
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  // ...also when a module logs request.headers itself, under any key.
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.password',
  '*.current_password',
  '*.new_password',
  '*.access_token',
  '*.refresh_token',
  '*.api_key',
  // A personal API key: in the answer to POST /api/keys (should a module log it) and, like every
  // credential, in the Authorization header of /v1 requests (covered above).
  'key',
  '*.key',
];

declare module 'fastify' {
  interface FastifyInstance {
    /** The service graph the routes use (services.ts), exposed for tests. */
    services: Services;
    /** The metering service (= services.usage), exposed for tests. */
    usage: Services['usage'];
  }
}

/** Every error answers in the shape its path's clients parse: OpenAI's under /v1, else problem+json. */
const renderError: RenderError = (error, url) => (isOpenAiPath(url) ? renderOpenAiError(error) : renderProblem(error, url));

/** The hash of the inline style that Swagger UI (@fastify/swagger-ui 6) inserts at /docs. */
const SWAGGER_UI_STYLE_HASH = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : { level: config.logLevel, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' }, ...(deps.logStream && { stream: deps.logStream }) },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    // One line per request instead (platform/http/request-log.ts).
    logController: requestLogController(),
    genReqId: () => crypto.randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
    // Refusals before any route runs (bad URL, oversized headers, broken HTTP) in the path's shape.
    ...frameworkErrorOptions(renderError),
  }).withTypeProvider<ZodTypeProvider>();

  // JSON bodies only (login adds the OAuth2 form in its own scope): anything else is a 415.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandler(app, renderError);
  registerNulRefusal(app);
  registerAuthDecorators(app);
  registerApiKeyDecorator(app);
  registerRequestLog(app);
  closeConnectionsOnClose(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
      },
    },
  });
  await app.register(cors, { origin: config.allowedOrigins.length ? config.allowedOrigins : false, credentials: true });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Quota Chat API', version: APP_VERSION, description: 'Multi-user AI chat with metered, tier-limited token usage.' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access token of a login: /api routes only.' },
          apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'qc_...', description: 'A personal API key from POST /api/keys: /v1 routes only.' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Swagger UI inserts one <style> element as it starts; its hash lets exactly that one in, so the
    // page's console stays clean without 'unsafe-inline'. An upgrade that changes the style fails
    // the browser test of /docs (e2e/rough-edges.test.ts), which prints the new hash.
    transformStaticCSP: (header) => header.replace("style-src 'self' https:", `style-src 'self' https: ${SWAGGER_UI_STYLE_HASH}`),
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const services = buildServices(config, { ...deps, log: app.log });
  app.addHook('onClose', async () => services.close());
  app.decorate('services', services);
  app.decorate('usage', services.usage);
  const { auth, keys, reports, admin, models, conversations, chat } = services;
  const authenticate = createAuthenticate(auth, { explainOtherCredential: explainApiKeyOnApi });
  const requireAdmin = createRequireAdmin(authenticate);
  // Calling a model needs a confirmed email when REQUIRE_EMAIL_VERIFICATION is on (accounts).
  const forModelCalls = (guard: typeof authenticate) => createRequireVerifiedEmail(guard, config.requireEmailVerification);
  services.metrics.register(app, { token: config.metricsToken, production: config.env === 'production' });

  await app.register(healthRoutes, { db: deps.db, version: APP_VERSION });
  await app.register(authRoutes, {
    prefix: '/api/auth',
    auth,
    authenticate,
    secureCookies: config.env === 'production',
    allowedOrigins: config.allowedOrigins,
    passwordSignUp: !config.sso.only,
  });
  await app.register(ssoRoutes, { prefix: '/api/sso', sso: services.sso, passwordSignUp: !config.sso.only, secureCookies: config.env === 'production' });
  await app.register(accountsRoutes, { prefix: '/api/auth', accounts: services.accounts, authenticate });
  await app.register(usageRoutes, { reports, authenticate });
  await app.register(plansRoutes, { tiers: config.tiers });
  await app.register(adminRoutes, { prefix: '/api/admin', admin, requireAdmin });
  await app.register(billingRoutes, { billing: services.billing, authenticate });
  await app.register(modelsRoutes, { models, authenticate });
  await app.register(conversationsRoutes, { prefix: '/api/conversations', conversations, authenticate });
  await app.register(shareSettingsRoutes, { prefix: '/api/conversations', sharing: services.sharing, authenticate });
  await app.register(sharedLinkRoutes, { prefix: '/api/shared', sharing: services.sharing });
  await app.register(chatRoutes, { chat, authenticate: forModelCalls(authenticate) });
  await app.register(keysRoutes, { prefix: '/api/keys', keys, authenticate });
  await app.register(preferencesRoutes, { prefix: '/api/preferences', preferences: services.preferences, authenticate });
  await app.register(teamsRoutes, { prefix: '/api/teams', teams: services.teams, authenticate });
  await app.register(openAiApiRoutes, { prefix: '/v1', api: services.openAiApi, authenticateApiKey: forModelCalls(createApiKeyAuthenticate(keys)) });

  // The web app last: its GET /* fallback only answers paths that no route above claims.
  const webDist = deps.webDist ?? DEFAULT_WEB_DIST;
  if (webDist && webDistExists(webDist)) await app.register(staticWeb, { root: webDist });

  return app;
}
