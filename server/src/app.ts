// buildApp wires plugins and feature modules. It never listens and never reads process.env, so
// tests build it with their own config, database and clock.
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { APP_VERSION } from './lib/version.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { createAccessTokenSigner, createRefreshTokenMint } from './modules/auth/tokens.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { createRateLimiter, type RateLimiter } from './modules/rate-limits/rate-limits.service.js';
import { createRedisClient } from './modules/rate-limits/redis-client.js';
import { createRedisRateLimiter } from './modules/rate-limits/redis-rate-limiter.js';
import { adminRoutes } from './modules/admin/admin.routes.js';
import { createAdminService } from './modules/admin/admin.service.js';
import { startReservationReaper } from './modules/usage/reaper.js';
import { createUsageReportService } from './modules/usage/usage-report.service.js';
import { createMetrics } from './modules/metrics/metrics.js';
import { usageRoutes } from './modules/usage/usage.routes.js';
import { createUsageService, type ModelPricing } from './modules/usage/usage.service.js';
import { createUsersService } from './modules/users/users.service.js';
import { chatRoutes } from './modules/chat/chat.routes.js';
import { createChatService } from './modules/chat/chat.service.js';
import { createModelCaller } from './modules/model-calls/model-call.js';
import { createLanguageModelRegistry } from './modules/model-calls/providers/registry.js';
import type { UsageMeter } from './modules/model-calls/usage-meter.js';
import { conversationsRoutes } from './modules/conversations/conversations.routes.js';
import { createConversationsService } from './modules/conversations/conversations.service.js';
import { keysRoutes } from './modules/keys/keys.routes.js';
import { createKeysService } from './modules/keys/keys.service.js';
import { modelsRoutes } from './modules/models/models.routes.js';
import { createModelsService } from './modules/models/models.service.js';
import { openAiApiRoutes } from './modules/openai-api/openai-api.routes.js';
import { createOpenAiApiService } from './modules/openai-api/openai-api.service.js';
import { createApiKeyAuthenticate, createAuthenticate, createRequireAdmin, registerAuthDecorators } from './plugins/authenticate.js';
import { handleFrameworkError, registerProblemHandler } from './plugins/problem-handler.js';
import { DEFAULT_WEB_DIST, staticWeb, webDistExists } from './plugins/static-web.js';

export interface AppDeps {
  db: Db;
  jwtSecret: string;
  now?: () => Date;
  /** Meters model calls (model-calls/usage-meter.ts); tests pass a recording one. */
  usageMeter?: UsageMeter;
  /** Run the reservation reaper on a timer (main does; tests call reapExpired themselves). */
  startReaper?: boolean;
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
    /** The metering service, exposed for tests and the reaper. */
    usage: import('./modules/usage/usage.service.js').UsageService;
  }
}

export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const now = deps.now ?? (() => new Date());
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : { level: config.logLevel, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' }, ...(deps.logStream && { stream: deps.logStream }) },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: handleFrameworkError,
  }).withTypeProvider<ZodTypeProvider>();

  // JSON bodies only (login adds the OAuth2 form in its own scope): anything else is a 415.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandler(app);
  registerAuthDecorators(app);
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
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const signer = createAccessTokenSigner(deps.jwtSecret, config.accessTokenTtlSeconds);
  const rateLimiter = createRateLimiterFor(app, config, deps.db, now);
  const auth = createAuthService({
    db: deps.db,
    signer,
    rateLimiter,
    refreshTokens: createRefreshTokenMint(deps.jwtSecret),
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    refreshTokenReuseIntervalSeconds: config.refreshTokenReuseIntervalSeconds,
    authRateLimit: config.authRateLimit,
    now,
  });
  const users = createUsersService({ db: deps.db });
  const authenticate = createAuthenticate(auth);
  const requireAdmin = createRequireAdmin(authenticate);
  const metrics = createMetrics();
  metrics.register(app, config.metricsToken);
  const models = createModelsService({ config: config.models, tiers: config.tiers });
  const pricingOf = (id: string): ModelPricing | undefined => models.pricingOf(id);
  const usage = createUsageService({
    db: deps.db,
    tiers: config.tiers,
    rateLimiter,
    now,
    pricingOf,
    metrics: metrics.usage,
    reservationTtlMs: config.reservationTtlSeconds * 1000,
  });
  const reports = createUsageReportService({ db: deps.db, tiers: config.tiers, now, usage });
  const admin = createAdminService({ db: deps.db, users, tiers: config.tiers, now });
  app.decorate('usage', usage);
  if (deps.startReaper) {
    const stop = startReservationReaper(usage, config.reaperIntervalSeconds * 1000, app.log);
    app.addHook('onClose', async () => stop());
  }

  await app.register(healthRoutes, { db: deps.db, version: APP_VERSION });
  await app.register(authRoutes, {
    prefix: '/api/auth',
    auth,
    users,
    authenticate,
    secureCookies: config.env === 'production',
    allowedOrigins: config.allowedOrigins,
  });
  await app.register(usageRoutes, { reports, authenticate });
  await app.register(adminRoutes, { prefix: '/api/admin', admin, requireAdmin });
  const conversations = createConversationsService({ db: deps.db, models, now });
  const callModel = createModelCaller({
    usage: deps.usageMeter ?? usage,
    languageModelFor: createLanguageModelRegistry(config.models.providers),
    timeouts: config.upstream,
    log: app.log,
  });
  const chat = createChatService({ conversations, models, callModel, log: app.log });
  await app.register(modelsRoutes, { models, authenticate });
  await app.register(conversationsRoutes, { prefix: '/api/conversations', conversations, authenticate });
  await app.register(chatRoutes, { chat, authenticate });
  const keys = createKeysService({ db: deps.db, users, now });
  await app.register(keysRoutes, { prefix: '/api/keys', keys, authenticate });
  await app.register(openAiApiRoutes, {
    prefix: '/v1',
    api: createOpenAiApiService({ models, callModel, now }),
    authenticateApiKey: createApiKeyAuthenticate(keys),
  });

  // The web app last: its GET /* fallback only answers paths that no route above claims.
  const webDist = deps.webDist ?? DEFAULT_WEB_DIST;
  if (webDist && webDistExists(webDist)) await app.register(staticWeb, { root: webDist });

  return app;
}

/** Counters in Redis when REDIS_URL is set (one client per app, closed with it), else in PostgreSQL. */
function createRateLimiterFor(app: FastifyInstance, config: Config, db: Db, now: () => Date): RateLimiter {
  if (!config.redisUrl) return createRateLimiter(db, now);
  const redis = createRedisClient(config.redisUrl, { log: app.log });
  // disconnect, not quit: quit would wait for a Redis that may be the reason we are stopping.
  app.addHook('onClose', async () => redis.disconnect());
  return createRedisRateLimiter(redis, now, app.log);
}
