// Upstream failures as a person should read them. A provider's error body may echo the request,
// name our account or quote a key, so none of it is passed on: only its HTTP status picks a message.
import { APICallError } from 'ai';
import type { ErrorCode } from '../../lib/errors.js';

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
  const status = APICallError.isInstance(error) ? error.statusCode : undefined;
  if (status !== undefined && status >= 400) {
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
  if (APICallError.isInstance(error) && status === undefined) {
    // fetch failed before any response: DNS, refused connection, TLS.
    return { code: 'UPSTREAM_UNAVAILABLE', message: 'The model provider cannot be reached; try again later.', refused: true };
  }
  // The connection broke or the stream could not be read after the provider had started answering.
  return { code: 'UPSTREAM_ERROR', message: 'The connection to the model provider broke off before the reply was complete.', refused: false };
}

/**
 * What the operator's log gets about an upstream error: enough to diagnose, without the request
 * body the SDK attaches (the user's prompt) or the provider's raw response.
 */
export function describeUpstreamError(error: unknown): Record<string, unknown> | undefined {
  if (error === undefined) return undefined;
  if (APICallError.isInstance(error)) return { name: error.name, status: error.statusCode, url: error.url, message: error.message.slice(0, 300) };
  if (error instanceof Error) return { name: error.name, message: error.message.slice(0, 300) };
  return { value: String(error).slice(0, 300) };
}
