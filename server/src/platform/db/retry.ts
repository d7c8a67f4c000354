// Settling a model call must survive a database that restarts or blips while the reply streams:
// the call already happened, and its usage has to be recorded. Only idempotent writes (keyed by
// request id, or setting a final state) are retried, and only on errors that mean "the
// connection or server was lost", never on a constraint or a bug.
import pRetry from 'p-retry';
import { AppError } from '../../lib/errors.js';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '08001', // sqlclient_unable_to_establish_sqlconnection
]);

export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // No pool connection freed up in time (postgres.ts): the database is busy, not wrong; try again.
  if (err instanceof AppError && err.code === 'SERVER_BUSY') return true;
  const code = (err as { code?: string }).code;
  if (code && CONNECTION_CODES.has(code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection/i.test(err.message);
}

/**
 * The first attempt runs without p-retry, which sets up its operation and timers per call: on the
 * stream path every model call settles through here (two wrappers deep), nearly always at the first try.
 */
function firstThenRetry<T>(fn: () => Promise<T>, retry: (err: unknown) => boolean, rest: (err: Error) => Promise<T>): Promise<T> {
  return fn().catch((err: unknown) => {
    if (!retry(err)) throw err;
    return rest(err as Error);
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries fn on lost connections for up to about half a minute, with backoff. */
export function retryOnConnectionLoss<T>(fn: () => Promise<T>, onRetry?: (err: Error, attempt: number) => void): Promise<T> {
  return firstThenRetry(fn, isConnectionError, async (err) => {
    onRetry?.(err, 1);
    await pause(100);
    return retryingOnConnectionLoss(fn, onRetry);
  });
}

function retryingOnConnectionLoss<T>(fn: () => Promise<T>, onRetry?: (err: Error, attempt: number) => void): Promise<T> {
  return pRetry(fn, {
    retries: 9,
    minTimeout: 200,
    factor: 2,
    maxTimeout: 5_000,
    shouldRetry: ({ error }) => isConnectionError(error),
    onFailedAttempt: ({ error, attemptNumber }) => {
      if (isConnectionError(error)) onRetry?.(error, attemptNumber);
    },
  });
}

/**
 * Retries fn when PostgreSQL ended its transaction as a deadlock's victim (40P01; fn's transaction
 * was rolled back, so running it again is safe). Transactions that lock several rows take them in
 * one order, so this is a guard, not the plan.
 */
export function retryOnDeadlock<T>(fn: () => Promise<T>): Promise<T> {
  const isDeadlock = (err: unknown) => (err as { code?: string } | undefined)?.code === '40P01';
  return firstThenRetry(fn, isDeadlock, async () => {
    await pause(10);
    return retryingOnDeadlock(fn);
  });
}

function retryingOnDeadlock<T>(fn: () => Promise<T>): Promise<T> {
  return pRetry(fn, {
    retries: 4,
    minTimeout: 20,
    factor: 2,
    maxTimeout: 200,
    shouldRetry: ({ error }) => (error as { code?: string }).code === '40P01',
  });
}
