// Errors on /v1 in OpenAI's shape, {"error": {message, type, param, code}}, with OpenAI's statuses,
// so that the official clients (and the many tools built on them) raise the exception a developer
// already handles: AuthenticationError, NotFoundError, RateLimitError with code insufficient_quota...
// The same AppErrors as on /api come in (toAppError), so no rule is written twice; only the
// rendering differs. Messages are our own: a provider's error body never reaches a client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../../lib/errors.js';
import { toAppError, type RenderedError } from '../../platform/http/problem-handler.js';
import type { OpenAiErrorBody } from './openai-api.schemas.js';

interface OpenAiErrorKind {
  type: string;
  code: string | null;
  /** When OpenAI answers with another status than our /api problem does. */
  status?: number;
  param?: string;
}

const KINDS: Partial<Record<ErrorCode, OpenAiErrorKind>> = {
  API_KEY_INVALID: { type: 'invalid_request_error', code: 'invalid_api_key' },
  // OpenAI answers every invalid request with 400, where /api answers 422.
  VALIDATION_FAILED: { type: 'invalid_request_error', code: null, status: 400 },
  PROMPT_TOO_LONG: { type: 'invalid_request_error', code: 'context_length_exceeded', status: 400, param: 'messages' },
  MODEL_NOT_FOUND: { type: 'invalid_request_error', code: 'model_not_found', param: 'model' },
  MODEL_NOT_ALLOWED: { type: 'invalid_request_error', code: 'model_not_allowed', param: 'model' },
  QUOTA_EXCEEDED: { type: 'insufficient_quota', code: 'insufficient_quota' },
  RATE_LIMITED: { type: 'requests', code: 'rate_limit_exceeded' },
  NOT_FOUND: { type: 'invalid_request_error', code: 'unknown_url' },
};

export function toOpenAiError(error: AppError): { status: number; body: OpenAiErrorBody; headers: Record<string, string> } {
  const kind = KINDS[error.code];
  const status = kind?.status ?? error.status;
  const issues = error.extra.issues as { path: string }[] | undefined;
  const headers = { ...error.headers };
  // Over quota with nothing in flight, only the new month helps: tell the official clients not to
  // retry (they honour x-should-retry). With calls in flight, their usual back-off may find room.
  if (error.code === 'QUOTA_EXCEEDED' && headers['retry-after']) headers['x-should-retry'] = 'false';
  return {
    status,
    headers,
    body: {
      error: {
        message: error.message,
        type: kind?.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
        param: kind?.param ?? (issues?.[0]?.path || null),
        code: kind ? kind.code : error.code.toLowerCase(),
        // An addition of ours: which of the nested budgets refused (OpenAI's clients keep the body).
        ...(typeof error.extra.level === 'string' && { level: error.extra.level }),
      },
    },
  };
}

/** The paths that answer in OpenAI's shape: this scope's, and the framework's refusals of them. */
export function isOpenAiPath(url: string): boolean {
  return /^\/v1(\/|\?|$)/.test(url);
}

export function renderOpenAiError(error: AppError): RenderedError {
  const { status, body, headers } = toOpenAiError(error);
  return { status, body, headers, contentType: 'application/json; charset=utf-8' };
}

function sendOpenAiError(reply: FastifyReply, error: AppError) {
  const { status, body, headers, contentType } = renderOpenAiError(error);
  return reply.code(status).headers(headers).type(contentType).send(body);
}

/** For a /v1 scope: its errors and unknown paths answer in OpenAI's shape. */
export function registerOpenAiErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => sendOpenAiError(reply, toAppError(error, request)));
  app.setNotFoundHandler((request, reply) =>
    sendOpenAiError(reply, new AppError('NOT_FOUND', `Invalid URL (${request.method} ${request.url.split('?')[0]}).`)),
  );
}
