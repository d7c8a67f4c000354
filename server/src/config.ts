// The only reader of process.env. Every setting is parsed and validated here, once, at start-up;
// a bad value stops the server with a message that names the variable and what it expects.
// One zod schema, shaped like the Config the server reads: each variable is named once, at its
// leaf (lib/env-schema.ts), and Config is what the schema outputs.
import { z } from 'zod';
import { modelsFromEnv } from './features/models/models.config.js';
import { commaList, fromEnv, problemsOf, readEnv, trimmed, wholeNumber, yesNo } from './lib/env-schema.js';
import { tiersFromEnv } from './lib/tiers/tiers.config.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** JWT_SECRET must carry at least 256 bits: 32 bytes of UTF-8 (e.g. `openssl rand -hex 32`). */
export const MIN_JWT_SECRET_BYTES = 32;

const settings = z.object({
  env: fromEnv('NODE_ENV', z.enum(['development', 'production', 'test']).default('development')),
  port: fromEnv('PORT', wholeNumber(0, 3000, 65_535)),
  host: fromEnv('HOST', z.string().min(1).default('localhost')),
  dataDir: fromEnv('DATA_DIR', z.string().min(1).default('./data')),
  databaseUrl: fromEnv(
    'DATABASE_URL',
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
  ),
  databasePoolSize: fromEnv('DATABASE_POOL_SIZE', wholeNumber(1, 20, 1000)),
  /** Longest wait for a free database connection before a request is refused with 503. */
  databasePoolTimeoutMs: fromEnv('DATABASE_POOL_TIMEOUT_MS', wholeNumber(100, 10_000)),
  /** Model calls one process runs at once; past it (after waiting streamQueueTimeoutMs) a call gets 503. */
  maxConcurrentStreams: fromEnv('MAX_CONCURRENT_STREAMS', wholeNumber(1, 4096)),
  streamQueueTimeoutMs: fromEnv('STREAM_QUEUE_TIMEOUT_MS', wholeNumber(0, 500, 60_000)),
  /** Server processes to run on this machine (node:cluster); more than 1 needs DATABASE_URL. */
  workers: fromEnv('WORKERS', wholeNumber(1, 1, 256)),
  /** When set, rate-limit counters live in Redis instead of PostgreSQL (docs/decisions/008). */
  redisUrl: fromEnv(
    'REDIS_URL',
    z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .refine((v) => URL.canParse(v), 'must be a URL such as redis://localhost:6379')
      .optional(),
  ),
  /** Undefined outside production until resolveJwtSecret() fills it from the data folder. */
  jwtSecret: fromEnv(
    'JWT_SECRET',
    z
      .string()
      .refine((v) => Buffer.byteLength(v) >= MIN_JWT_SECRET_BYTES, 'must be at least 256 bits (32 bytes); generate one with "openssl rand -hex 32"')
      .optional(),
  ),
  accessTokenTtlSeconds: fromEnv('ACCESS_TOKEN_TTL_SECONDS', wholeNumber(30, 15 * 60)),
  refreshTokenTtlSeconds: fromEnv('REFRESH_TOKEN_TTL_SECONDS', wholeNumber(60, 30 * 24 * 3600)),
  /** A rotated refresh token replayed within this many seconds, its successor unused, gets that successor again (docs/decisions/002). */
  refreshTokenReuseIntervalSeconds: fromEnv('REFRESH_TOKEN_REUSE_INTERVAL_SECONDS', wholeNumber(0, 10, 60)),
  logLevel: fromEnv('LOG_LEVEL', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  allowedOrigins: fromEnv(
    'ALLOWED_ORIGINS',
    z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
  ),
  trustProxy: fromEnv('TRUST_PROXY', yesNo(false)),
  bodyLimitBytes: fromEnv('BODY_LIMIT_BYTES', wholeNumber(1024, 1024 * 1024)),
  authRateLimit: z.object({
    perIp: fromEnv('AUTH_RATE_LIMIT_PER_IP', wholeNumber(1, 30)),
    perEmail: fromEnv('AUTH_RATE_LIMIT_PER_EMAIL', wholeNumber(1, 10)),
    windowSeconds: fromEnv('AUTH_RATE_LIMIT_WINDOW_SECONDS', wholeNumber(1, 60)),
  }),
  /** Reads of shared links (GET /api/shared/{token}) per client address and minute: no account is needed to read one. */
  sharedLinkRateLimitPerMinute: fromEnv('SHARED_LINK_RATE_LIMIT_PER_MINUTE', wholeNumber(1, 60)),
  /** TIER_LIMITS_FILE and TIER_<NAME>_* over the defaults (modules/tiers/tiers.config.ts). */
  tiers: tiersFromEnv,
  /** A token reservation older than this was abandoned by a dead process; the reaper settles it. */
  reservationTtlSeconds: fromEnv('RESERVATION_TTL_SECONDS', wholeNumber(10, 15 * 60)),
  reaperIntervalSeconds: fromEnv('REAPER_INTERVAL_SECONDS', wholeNumber(1, 30)),
  /**
   * How long a process may keep a checked API key (with its owner and team) or session (with its
   * account); it is served only while no change to them has committed since, on any process
   * (docs/decisions/023). 0: no cache.
   */
  authCacheSeconds: fromEnv('AUTH_CACHE_SECONDS', wholeNumber(0, 300, 86_400)),
  /** On SIGTERM, how long open streams may run on before they are stopped (stored and metered) and the process exits. */
  shutdownGraceSeconds: fromEnv('SHUTDOWN_GRACE_SECONDS', wholeNumber(0, 30, 3600)),
  /** When set, /metrics needs "Authorization: Bearer <token>". */
  metricsToken: fromEnv('METRICS_TOKEN', z.string().min(16, 'must be at least 16 characters').optional()),
  /** The address people reach the app at, for links in mail; http://HOST:PORT when unset (publicUrlOf). */
  publicUrl: fromEnv(
    'PUBLIC_URL',
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://chat.example.com' })
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
  ),
  /** Account mail (password resets, email verification): SMTP when SMTP_URL is set, else the server log. */
  mail: z.object({
    smtpUrl: fromEnv(
      'SMTP_URL',
      z
        .string()
        .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
        .refine((v) => URL.canParse(v), 'must be a URL such as smtp://user:pass@mail.example.com:587')
        .optional(),
    ),
    from: fromEnv('MAIL_FROM', z.string().trim().min(3).max(254).default('Quota Chat <no-reply@localhost>')),
  }),
  passwordResetTtlMinutes: fromEnv('PASSWORD_RESET_TTL_MINUTES', wholeNumber(5, 30, 24 * 60)),
  /** When true, an account must confirm its email before it can call a model (docs/decisions/015). */
  requireEmailVerification: fromEnv('REQUIRE_EMAIL_VERIFICATION', yesNo(false)),
  /** The model catalogue and provider credentials (modules/models/models.config.ts). */
  models: modelsFromEnv,
  /** How long a model may take to start answering, and to send its next piece once it has. */
  upstream: z.object({
    firstTokenTimeoutMs: fromEnv('UPSTREAM_FIRST_TOKEN_TIMEOUT_MS', wholeNumber(100, 120_000)),
    idleTimeoutMs: fromEnv('UPSTREAM_IDLE_TIMEOUT_MS', wholeNumber(100, 60_000)),
  }),
  /** Self-serve plans through Stripe (features/billing, README "Billing"); off without STRIPE_SECRET_KEY. */
  billing: z
    .object({
      secretKey: fromEnv('STRIPE_SECRET_KEY', trimmed()),
      webhookSecret: fromEnv('STRIPE_WEBHOOK_SECRET', trimmed()),
      /** The Stripe price id of each tier on sale; a tier without one is not sold. */
      prices: z.object({
        starter: fromEnv('STRIPE_PRICE_STARTER', trimmed()),
        builder: fromEnv('STRIPE_PRICE_BUILDER', trimmed()),
        advanced: fromEnv('STRIPE_PRICE_ADVANCED', trimmed()),
      }),
      /** Where the Stripe client sends its requests instead of api.stripe.com (tests: a local fake). */
      apiUrl: fromEnv('STRIPE_API_URL', z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:12111' }).optional()),
      /** How long a paid tier lasts after a payment first fails. */
      gracePeriodHours: fromEnv('BILLING_GRACE_PERIOD_HOURS', wholeNumber(0, 72, 90 * 24)),
      /** How often each process applies the changes due by the clock (period ends, grace periods). */
      sweepIntervalSeconds: fromEnv('BILLING_SWEEP_INTERVAL_SECONDS', wholeNumber(1, 60)),
    })
    .refine((b) => !b.secretKey || b.webhookSecret, {
      path: ['webhookSecret'],
      message: 'required with STRIPE_SECRET_KEY (the whsec_... of the webhook endpoint)',
    })
    .refine((b) => !b.secretKey || Object.values(b.prices).some(Boolean), {
      path: ['secretKey'],
      message: 'set at least one of STRIPE_PRICE_STARTER, STRIPE_PRICE_BUILDER, STRIPE_PRICE_ADVANCED with it',
    }),
  /** Single sign-on with one OpenID Connect provider (features/sso, README "Single sign-on"); off without OIDC_ISSUER. */
  sso: z
    .object({
      issuer: fromEnv('OIDC_ISSUER', z.url({ protocol: /^https?$/, error: "must be the provider's issuer URL, e.g. https://accounts.google.com" }).optional()),
      clientId: fromEnv('OIDC_CLIENT_ID', trimmed()),
      clientSecret: fromEnv('OIDC_CLIENT_SECRET', trimmed()),
      /** The provider's name on the login page's button: "Sign in with <name>". */
      displayName: fromEnv('OIDC_DISPLAY_NAME', z.string().trim().min(1).max(40).default('single sign-on')),
      /** A claim whose value (or one of whose values) in OIDC_ADMIN_VALUES makes a new account an admin. */
      roleClaim: fromEnv('OIDC_ROLE_CLAIM', trimmed()),
      adminValues: fromEnv('OIDC_ADMIN_VALUES', commaList()),
      /** A claim naming the tier of a new account (free, starter, builder, advanced); the default tier otherwise. */
      tierClaim: fromEnv('OIDC_TIER_CLAIM', trimmed()),
      /** Links a first sign-in to the password account with the same (verified) email. */
      linkExisting: fromEnv('OIDC_LINK_EXISTING', yesNo(false)),
      /** Hides password sign-up and refuses POST /api/auth/register. */
      only: fromEnv('OIDC_ONLY', yesNo(false)),
    })
    .refine((o) => !o.issuer || (o.clientId && o.clientSecret), {
      path: ['clientId'],
      message: 'OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required with OIDC_ISSUER',
    })
    .refine((o) => !o.only || o.issuer, { path: ['only'], message: 'needs OIDC_ISSUER (without a provider nobody could sign up)' })
    .refine((o) => !o.roleClaim || o.adminValues.length > 0, { path: ['adminValues'], message: 'required with OIDC_ROLE_CLAIM (the values that mean admin)' }),
});

const configSchema = settings
  .refine((c) => !(c.workers > 1 && !c.databaseUrl), {
    path: ['workers'],
    message: 'more than 1 process needs DATABASE_URL (the embedded database serves one process)',
  })
  // Checked even when other values failed, so that one start-up lists every bad value at once.
  .check(
    z.refine((c) => !(c.env === 'production' && c.jwtSecret === undefined), {
      path: ['jwtSecret'],
      message: 'required when NODE_ENV=production (generate one with "openssl rand -hex 32")',
      when: () => true,
    }),
  );

export type Config = z.infer<typeof configSchema>;

/** Where links in mail point: PUBLIC_URL, or this process's own address. */
export function publicUrlOf(config: Pick<Config, 'publicUrl' | 'host' | 'port'>): string {
  return config.publicUrl ?? `http://${config.host}:${config.port}`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(readEnv(settings, env));
  if (!parsed.success) throw new ConfigError(problemsOf(settings, parsed.error));
  return parsed.data;
}
