// The only reader of process.env. Every setting is parsed and validated here, once, at start-up;
// a bad value stops the server with a message that names the variable and what it expects.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  DEFAULT_TIER_LIMITS,
  TIER_NAMES,
  type TierLimits,
  type TierName,
  type TierTable,
  mergeTierLimits,
  tierOverridesSchema,
} from './modules/tiers/tiers.js';
import { readModelsConfig } from './modules/models/models.config.js';
import type { ModelsConfig } from './modules/models/models.types.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const intFromEnv = (min: number, fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
        ctx.addIssue({ code: 'custom', message: `must be a whole number ${range}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const boolFromEnv = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : ['true', '1', 'yes'].includes(v)));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: intFromEnv(0, 3000, 65_535),
  HOST: z.string().min(1).default('localhost'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATABASE_POOL_SIZE: intFromEnv(1, 20, 1000),
  DATABASE_POOL_TIMEOUT_MS: intFromEnv(100, 2000),
  MAX_CONCURRENT_STREAMS: intFromEnv(1, 4096),
  STREAM_QUEUE_TIMEOUT_MS: intFromEnv(0, 500, 60_000),
  WORKERS: intFromEnv(1, 1, 256),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .refine((v) => URL.canParse(v), 'must be a URL such as redis://localhost:6379')
    .optional(),
  JWT_SECRET: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: intFromEnv(30, 15 * 60),
  REFRESH_TOKEN_TTL_SECONDS: intFromEnv(60, 30 * 24 * 3600),
  REFRESH_TOKEN_REUSE_INTERVAL_SECONDS: intFromEnv(0, 10, 60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ALLOWED_ORIGINS: z.string().default(''),
  TRUST_PROXY: boolFromEnv(false),
  BODY_LIMIT_BYTES: intFromEnv(1024, 1024 * 1024),
  AUTH_RATE_LIMIT_PER_IP: intFromEnv(1, 30),
  AUTH_RATE_LIMIT_PER_EMAIL: intFromEnv(1, 10),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: intFromEnv(1, 60),
  TIER_LIMITS_FILE: z.string().optional(),
  RESERVATION_TTL_SECONDS: intFromEnv(10, 15 * 60),
  REAPER_INTERVAL_SECONDS: intFromEnv(1, 30),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: intFromEnv(100, 120_000),
  UPSTREAM_IDLE_TIMEOUT_MS: intFromEnv(100, 60_000),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Longest wait for a free database connection before a request is refused with 503. */
  databasePoolTimeoutMs: number;
  /** Model calls one process runs at once; past it (after waiting streamQueueTimeoutMs) a call gets 503. */
  maxConcurrentStreams: number;
  streamQueueTimeoutMs: number;
  /** Server processes to run on this machine (node:cluster); more than 1 needs DATABASE_URL. */
  workers: number;
  /** When set, rate-limit counters live in Redis instead of PostgreSQL (docs/decisions/008). */
  redisUrl: string | undefined;
  /** Undefined outside production until resolveJwtSecret() fills it from the data folder. */
  jwtSecret: string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** A rotated refresh token replayed within this many seconds, its successor unused, gets that successor again (docs/decisions/002). */
  refreshTokenReuseIntervalSeconds: number;
  logLevel: string;
  allowedOrigins: string[];
  trustProxy: boolean;
  bodyLimitBytes: number;
  authRateLimit: { perIp: number; perEmail: number; windowSeconds: number };
  tiers: TierTable;
  /** A token reservation older than this was abandoned by a dead process; the reaper settles it. */
  reservationTtlSeconds: number;
  reaperIntervalSeconds: number;
  /** When set, /metrics needs "Authorization: Bearer <token>". */
  metricsToken: string | undefined;
  /** The model catalogue and provider credentials (server/src/modules/models/models.config.ts). */
  models: ModelsConfig;
  /** How long a model may take to start answering, and to send its next piece once it has. */
  upstream: { firstTokenTimeoutMs: number; idleTimeoutMs: number };
}

/** JWT_SECRET must carry at least 256 bits: 32 bytes of UTF-8 (e.g. `openssl rand -hex 32`). */
export const MIN_JWT_SECRET_BYTES = 32;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  // An empty value (`JWT_SECRET=` in a .env file) means "not set", for every variable alike.
  const values = Object.fromEntries(Object.keys(envSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = envSchema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }

  // Checked even when other values failed, so that one start-up lists every bad value at once.
  const jwtSecret = values.JWT_SECRET;
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < MIN_JWT_SECRET_BYTES) {
    problems.push(`JWT_SECRET: must be at least 256 bits (32 bytes); generate one with "openssl rand -hex 32"`);
  }
  if (values.NODE_ENV === 'production' && jwtSecret === undefined) {
    problems.push('JWT_SECRET: required when NODE_ENV=production (generate one with "openssl rand -hex 32")');
  }

  if (parsed.success && parsed.data.WORKERS > 1 && !parsed.data.DATABASE_URL) {
    problems.push('WORKERS: more than 1 process needs DATABASE_URL (the embedded database serves one process)');
  }

  const tiers = readTierLimits(env, values.TIER_LIMITS_FILE, problems);
  const models = readModelsConfig(env, problems);
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databasePoolTimeoutMs: e.DATABASE_POOL_TIMEOUT_MS,
    maxConcurrentStreams: e.MAX_CONCURRENT_STREAMS,
    streamQueueTimeoutMs: e.STREAM_QUEUE_TIMEOUT_MS,
    workers: e.WORKERS,
    redisUrl: e.REDIS_URL,
    jwtSecret: e.JWT_SECRET,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    refreshTokenReuseIntervalSeconds: e.REFRESH_TOKEN_REUSE_INTERVAL_SECONDS,
    logLevel: e.LOG_LEVEL,
    allowedOrigins: e.ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    trustProxy: e.TRUST_PROXY,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    authRateLimit: {
      perIp: e.AUTH_RATE_LIMIT_PER_IP,
      perEmail: e.AUTH_RATE_LIMIT_PER_EMAIL,
      windowSeconds: e.AUTH_RATE_LIMIT_WINDOW_SECONDS,
    },
    tiers: tiers ?? DEFAULT_TIER_LIMITS,
    reservationTtlSeconds: e.RESERVATION_TTL_SECONDS,
    reaperIntervalSeconds: e.REAPER_INTERVAL_SECONDS,
    metricsToken: e.METRICS_TOKEN,
    models,
    upstream: { firstTokenTimeoutMs: e.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS, idleTimeoutMs: e.UPSTREAM_IDLE_TIMEOUT_MS },
  };
}

function readTierLimits(env: NodeJS.ProcessEnv, file: string | undefined, problems: string[]): TierTable | undefined {
  let fromFile: Partial<Record<TierName, Partial<TierLimits>>> = {};
  if (file) {
    try {
      const parsed = tierOverridesSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (parsed.success) fromFile = parsed.data as typeof fromFile;
      else for (const i of parsed.error.issues) problems.push(`TIER_LIMITS_FILE (${file}) ${i.path.join('.')}: ${i.message}`);
    } catch (err) {
      problems.push(`TIER_LIMITS_FILE: cannot read "${file}" as JSON (${(err as Error).message})`);
    }
  }
  const fromValues: Partial<Record<TierName, Partial<TierLimits>>> = {};
  for (const tier of TIER_NAMES) {
    for (const [suffix, field, min] of [
      ['MONTHLY_TOKENS', 'monthlyTokens', 0],
      ['REQUESTS_PER_MINUTE', 'requestsPerMinute', 1],
    ] as const) {
      const name = `TIER_${tier.toUpperCase()}_${suffix}`;
      const raw = env[name];
      if (raw === undefined || raw === '') continue;
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < min) {
        problems.push(`${name}: must be a whole number >= ${min}, got "${raw}"`);
        continue;
      }
      fromValues[tier] = { ...fromValues[tier], [field]: n };
    }
  }
  return mergeTierLimits(DEFAULT_TIER_LIMITS, fromFile, fromValues);
}
