// Upstream failures as a person should read them. A provider's error body may echo the request,
// name our account or quote a key, so none of it is passed on: only its HTTP status picks a message.
import type { ErrorCode } from '../errors.js';

/** The provider answered with an HTTP error status: it refused the call and did no work. */
export class UpstreamHttpError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
  ) {
    super(`provider answered HTTP ${status}`);
    this.name = 'UpstreamHttpError';
  }
}

/** No response at all: DNS, a refused connection, TLS. */
export class UpstreamUnreachableError extends Error {
  constructor(cause: unknown) {
    super(`provider cannot be reached: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'UpstreamUnreachableError';
  }
}

/** The connection or the stream broke after the provider had answered, or it sent an error event. */
export class UpstreamBrokeOffError extends Error {
  constructor(cause?: unknown, message = 'the provider connection broke off') {
    super(cause instanceof Error ? `${message}: ${cause.message}` : message, { cause });
    this.name = 'UpstreamBrokeOffError';
  }
}

export interface UpstreamFailure {
  code: Extract<ErrorCode, 'UPSTREAM_ERROR' | 'UPSTREAM_UNAVAILABLE' | 'UPSTREAM_TIMEOUT'>;
  /** Safe to show and to store with the message. */
  message: string;
  /** The provider's HTTP status, when it answered with one. */
  upstreamStatus?: number;
  /** True when the provider refused or was never reached, so it did no work on the prompt. */
  refused: boolean;
}

export function timeoutFailure(started: boolean): UpstreamFailure {
  return {
    code: 'UPSTREAM_TIMEOUT',
    message: started ? 'The model stopped sending its reply; try again.' : 'The model took too long to start answering; try again.',
    refused: false,
  };
}

export function classifyUpstreamError(error: unknown): UpstreamFailure {
  if (error instanceof UpstreamHttpError) {
    const status = error.status;
    const message =
      status === 401 || status === 403
        ? 'The model provider refused our credentials. Tell the operator of this server.'
        : status === 429
          ? 'The model provider is busy or rate limiting us; try again in a moment.'
          : status >= 500
            ? 'The model provider had an error; try again.'
            : 'The model provider rejected the request; try again or pick another model.';
    return { code: 'UPSTREAM_ERROR', message, upstreamStatus: status, refused: true };
  }
  if (error instanceof UpstreamUnreachableError) {
    return { code: 'UPSTREAM_UNAVAILABLE', message: 'The model provider cannot be reached; try again later.', refused: true };
  }
  // The connection broke or the stream could not be read after the provider had started answering.
  return { code: 'UPSTREAM_ERROR', message: 'The connection to the model provider broke off before the reply was complete.', refused: false };
}

/**
 * What the operator's log gets about an upstream error: enough to diagnose, without the user's
 * prompt or the provider's error body (it may quote the request or a key).
 */
export function describeUpstreamError(error: unknown): Record<string, unknown> | undefined {
  if (error === undefined) return undefined;
  if (error instanceof UpstreamHttpError) return { name: error.name, status: error.status, url: error.url };
  if (error instanceof Error) return { name: error.name, message: error.message.slice(0, 300) };
  return { value: String(error).slice(0, 300) };
}
