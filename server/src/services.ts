// buildServices builds the service graph in one place: the database, the rate limiter and every
// feature's service, in dependency order. app.ts puts HTTP in front of it; tests reach the same
// services through buildTestApp's `services`. Background jobs (the reservation reaper, the
// cleanup) start here when asked, and close() stops them and releases what the graph holds (the
// Redis client).
import { createHmac } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { createCleanup } from './cleanup.js';
import { publicUrlOf, type Config } from './config.js';
import { createAccountsService } from './features/accounts/accounts.service.js';
import { createAdminService } from './features/admin/admin.service.js';
import { createAuthService } from './features/auth/auth.service.js';
import { createAccessTokenSigner, createRefreshTokenMint } from './features/auth/tokens.js';
import { createBillingService, type BillingService, type BillingServiceDeps } from './features/billing/billing.service.js';
import { createStripeClient } from './features/billing/stripe-client.js';
import { createChatService } from './features/chat/chat.service.js';
import { createConversationsService } from './features/conversations/conversations.service.js';
import { createKeysService } from './features/keys/keys.service.js';
import { createModelsService } from './features/models/models.service.js';
import { createOpenAiApiService } from './features/openai-api/openai-api.service.js';
import { createPreferencesService } from './features/preferences/preferences.service.js';
import { createSharingService } from './features/sharing/sharing.service.js';
import { createSsoFor } from './features/sso/sso.setup.js';
import { createInvitationSigner } from './features/teams/invitation-token.js';
import { createTeamsService } from './features/teams/teams.service.js';
import { startReservationReaper } from './features/usage/reaper.js';
import { createUsageReportService } from './features/usage/usage-report.service.js';
import { createUsageService, type ModelPricing } from './features/usage/usage.service.js';
import { createUsersService } from './features/users/users.service.js';
import { createMailer } from './lib/mail/mailer.js';
import { createAdmission } from './lib/model-calls/admission.js';
import { createModelCalls } from './lib/model-calls/model-call.js';
import { createProviderRegistry } from './lib/model-calls/providers/registry.js';
import type { UsageMeter } from './lib/model-calls/usage-meter.js';
import { startPeriodic } from './lib/periodic.js';
import type { Db } from './platform/db/db.js';
import { createEpochReader } from './platform/db/epoch-cache.js';
import { createMetrics } from './platform/metrics/metrics.js';
import { createRateLimiter, type RateLimiter } from './platform/rate-limits/rate-limits.service.js';
import { createRedisClient } from './platform/rate-limits/redis-client.js';
import { createRedisRateLimiter } from './platform/rate-limits/redis-rate-limiter.js';

export interface ServiceDeps {
  db: Db;
  jwtSecret: string;
  /** Where the services log (the app's logger). */
  log: FastifyBaseLogger;
  now?: () => Date;
  /** Meters model calls (model-calls/usage-meter.ts); tests pass a recording one. */
  usageMeter?: UsageMeter;
  /** Run the background jobs on timers (main does; tests call reapExpired themselves). */
  startReaper?: boolean;
}

export function buildServices(config: Config, deps: ServiceDeps) {
  const { db, log } = deps;
  const now = deps.now ?? (() => new Date());
  const onClose: Array<() => void | Promise<void>> = [];

  const rateLimiter = createRateLimiterFor(config, db, now, log, onClose);
  const metrics = createMetrics();
  // A key of its own for the hashed addresses of deleted accounts (docs/decisions/015).
  const emailHashKey = createHmac('sha256', deps.jwtSecret).update('quota-chat deleted-account emails').digest();
  const users = createUsersService({ db, emailHashKey, now });
  // One shared read of the change counts serves the key and the session caches (decision 023).
  const epochs = createEpochReader(db);
  const auth = createAuthService({
    db,
    users,
    signer: createAccessTokenSigner(deps.jwtSecret, config.accessTokenTtlSeconds),
    rateLimiter,
    refreshTokens: createRefreshTokenMint(deps.jwtSecret),
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    refreshTokenReuseIntervalSeconds: config.refreshTokenReuseIntervalSeconds,
    authRateLimit: config.authRateLimit,
    now,
    epochs,
    cacheSeconds: config.authCacheSeconds,
    // accounts is built below (it needs auth); a registration happens only once the graph is built.
    onRegistered: (user) => accounts.onRegistered(user),
  });
  const models = createModelsService({ config: config.models, tiers: config.tiers });
  const pricingOf = (id: string): ModelPricing | undefined => models.pricingOf(id);
  const preferences = createPreferencesService({ db, now });
  const conversations = createConversationsService({ db, models, preferences, now });
  const sharing = createSharingService({
    db,
    conversations,
    rateLimiter,
    publicUrl: publicUrlOf(config),
    readsPerMinute: config.sharedLinkRateLimitPerMinute,
  });
  const usage = createUsageService({
    db,
    findUser: (id) => users.findUser(id),
    streamingReplies: conversations.streamingReplies,
    tiers: config.tiers,
    rateLimiter,
    now,
    pricingOf,
    metrics: metrics.usage,
    reservationTtlMs: config.reservationTtlSeconds * 1000,
  });
  const reports = createUsageReportService({ db, now, usage, users });
  const mailer = createMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, log, production: config.env === 'production' });
  const teams = createTeamsService({
    db,
    users,
    reports,
    mailer,
    mailConfigured: Boolean(config.mail.smtpUrl),
    publicUrl: publicUrlOf(config),
    // A key of its own for signing invitation links, derived from the server's secret.
    signer: createInvitationSigner(createHmac('sha256', deps.jwtSecret).update('quota-chat team invitations').digest()),
    tiers: config.tiers,
    now,
  });
  const accounts = createAccountsService({
    db,
    users,
    auth,
    usage,
    teams,
    mailer,
    rateLimiter,
    log,
    now,
    publicUrl: publicUrlOf(config),
    passwordResetTtlMinutes: config.passwordResetTtlMinutes,
    requireEmailVerification: config.requireEmailVerification,
    authRateLimit: config.authRateLimit,
  });
  onClose.push(
    () => mailer.close(),
    () => accounts.close(),
  );
  const admin = createAdminService({ db, users, auth, reports, teams, now });
  const billing = createBillingFor(config, { db, admin, now, log });
  const admission = createAdmission({ maxActive: config.maxConcurrentStreams, queueTimeoutMs: config.streamQueueTimeoutMs });
  const modelCalls = createModelCalls({
    usage: deps.usageMeter ?? usage,
    providerFor: createProviderRegistry(config.models.providers),
    admission,
    timeouts: config.upstream,
    log,
  });
  const chat = createChatService({ conversations, models, modelCalls, teams, log, db });
  // Replies outlive their requests: closing stops those still running and waits until they are stored.
  onClose.push(() => chat.close());
  const keys = createKeysService({
    db,
    users,
    usage,
    teams,
    now,
    epochs,
    cacheSeconds: config.authCacheSeconds,
  });
  const sso = createSsoFor(config.sso, { db, users, auth, publicUrl: publicUrlOf(config), production: config.env === 'production' });
  const cleanup = createCleanup({
    auth,
    accounts,
    rateLimiter,
    // Auth's window, or model calls' minute (usage.service.ts), whichever is longer.
    longestRateLimitWindowSeconds: Math.max(config.authRateLimit.windowSeconds, 60),
    log,
  });
  const openAiApi = createOpenAiApiService({ models, modelCalls, now });

  if (deps.startReaper) {
    onClose.push(startReservationReaper(usage, config.reaperIntervalSeconds * 1000, log));
    onClose.push(cleanup.start());
    if (billing) {
      const sweep = () => billing.applyDueChanges().then(() => undefined);
      onClose.push(startPeriodic(config.billing.sweepIntervalSeconds * 1000, sweep, (err) => log.error({ err }, 'the billing sweep failed')));
    }
  }

  return {
    db,
    now,
    rateLimiter,
    metrics,
    users,
    auth,
    accounts,
    models,
    usage,
    reports,
    admin,
    /** Null when billing is off (no STRIPE_SECRET_KEY). */
    billing,
    /** Null when single sign-on is off (no OIDC_ISSUER). */
    sso,
    preferences,
    conversations,
    sharing,
    admission,
    modelCalls,
    chat,
    keys,
    teams,
    openAiApi,
    cleanup,
    /** Stops the jobs and closes the clients the services hold; the database stays open (its opener closes it). */
    async close() {
      for (const stop of onClose.reverse()) await stop();
    },
  };
}

export type Services = ReturnType<typeof buildServices>;

/** Billing when STRIPE_SECRET_KEY is set (config.ts checks the rest is there with it), else null. */
function createBillingFor(config: Config, deps: Pick<BillingServiceDeps, 'db' | 'admin' | 'now' | 'log'>): BillingService | null {
  const { secretKey, webhookSecret, prices, apiUrl, gracePeriodHours } = config.billing;
  if (!secretKey || !webhookSecret) return null;
  return createBillingService({
    ...deps,
    stripe: createStripeClient({ secretKey, apiUrl }),
    webhookSecret,
    prices,
    publicUrl: publicUrlOf(config),
    graceMs: gracePeriodHours * 3600 * 1000,
  });
}

/** Counters in Redis when REDIS_URL is set (one client per app, closed with it), else in PostgreSQL. */
function createRateLimiterFor(config: Config, db: Db, now: () => Date, log: FastifyBaseLogger, onClose: Array<() => void>): RateLimiter {
  if (!config.redisUrl) return createRateLimiter(db, now);
  const redis = createRedisClient(config.redisUrl, { log });
  // disconnect, not quit: quit would wait for a Redis that may be the reason we are stopping.
  onClose.push(() => redis.disconnect());
  return createRedisRateLimiter(redis, now, log);
}
