// The one Redis connection an app opens for its rate-limit counters (REDIS_URL). Redis sits on the
// path of every login and model call, so nothing may wait on it for long: a command that gets no
// answer in time fails (the limiter then refuses with 503, docs/decisions/008-redis-counters.md),
// and the client keeps reconnecting in the background until Redis is back.
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';

/** A counter increment takes well under a millisecond; a second means Redis is not answering. */
export const REDIS_TIMEOUT_MS = 1000;

export interface RedisClientOptions {
  timeoutMs?: number;
  log?: Pick<FastifyBaseLogger, 'warn' | 'info'>;
}

export function createRedisClient(url: string, { timeoutMs = REDIS_TIMEOUT_MS, log }: RedisClientOptions = {}): Redis {
  const redis = new Redis(url, {
    connectTimeout: timeoutMs,
    // Also bounds a command queued while the connection is down or stuck before its ready check.
    commandTimeout: timeoutMs,
    // A command waiting for a reconnect fails at the first failed attempt instead of the 20th,
    // so an outage cannot pile up requests in memory.
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  // One line when Redis goes away and one when it is back, not one per reconnect attempt. The
  // listener is also what keeps ioredis from reporting "Unhandled error event".
  let reachable = true;
  redis.on('error', (err: Error) => {
    if (reachable) log?.warn({ err }, 'redis: connection failed; rate-limited requests answer 503 until it is back');
    reachable = false;
  });
  redis.on('ready', () => {
    if (!reachable) log?.info('redis: reachable again');
    reachable = true;
  });
  return redis;
}
