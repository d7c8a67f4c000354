// One place turns every failure into RFC 9457 problem+json. Known errors keep their code;
// validation becomes 422 with the issues; anything else is a generic 500 with the request id,
// and the full error goes to the log only (never SQL, stacks or secrets to the client).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, ERRORS, type ErrorCode } from '../../lib/errors.js';
import { isConnectionError } from '../db/retry.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  [extra: string]: unknown;
}

export function problemBody(code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}): Problem {
  const { status, title } = ERRORS[code];
  return {
    type: `https://quota-chat.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title,
    status,
    detail: detail ?? title,
    code,
    ...extra,
  };
}

export interface RenderedError {
  status: number;
  contentType: string;
  headers: Record<string, string>;
  body: unknown;
}

/** How an error reads at a URL: the app picks problem+json, or OpenAI's shape under /v1. */
export type RenderError = (error: AppError, url: string) => RenderedError;

export const renderProblem: RenderError = (error, url) => ({
  status: error.status,
  contentType: 'application/problem+json; charset=utf-8',
  headers: error.headers,
  body: problemBody(error.code, error.detail, { instance: url, ...error.extra }),
});

export function sendRendered(reply: FastifyReply, rendered: RenderedError) {
  return reply.code(rendered.status).headers(rendered.headers).type(rendered.contentType).send(rendered.body);
}

export function sendProblem(reply: FastifyReply, code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}) {
  return reply
    .code(ERRORS[code].status)
    .type('application/problem+json')
    .send(problemBody(code, detail, { instance: reply.request.url, ...extra }));
}

// Fastify's own client errors, mapped to our codes.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
  FST_ERR_BAD_URL: 'NOT_FOUND',
  FST_ERR_ASYNC_CONSTRAINT: 'NOT_FOUND',
};

/**
 * Any error as the AppError a client may see: known errors keep their code, validation becomes
 * VALIDATION_FAILED with the issues, Fastify's client errors keep their status, and anything else
 * is logged here in full and becomes INTERNAL. Shared by /api (problem+json) and /v1 (OpenAI shape).
 */
export function toAppError(error: FastifyError, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((v) => ({
      location: error.validationContext,
      path: v.instancePath.replace(/^\//, '').replaceAll('/', '.'),
      message: v.message,
    }));
    const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    return new AppError('VALIDATION_FAILED', detail, { issues });
  }
  if (error.validation) return new AppError('VALIDATION_FAILED', error.message);
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return new AppError(mapped);
  if (error instanceof SyntaxError || (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)) {
    // Other 4xx raised by Fastify or a plugin: keep the status, not the internal wording.
    return new AppError(error.statusCode === 404 ? 'NOT_FOUND' : error.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'MALFORMED_REQUEST');
  }
  if (isConnectionError(error)) {
    // The database restarted or cannot be reached: nothing is wrong with the request, so a retry
    // a moment later may well succeed (503 with Retry-After, never a 500).
    request.log.warn({ err: error }, 'database unreachable');
    return new AppError('DATABASE_UNAVAILABLE', 'The database cannot be reached right now; try again in a few seconds.', {}, { 'retry-after': '1' });
  }
  // The client left before a streamed reply sent its first byte (Fastify reports the stream's
  // premature close here): nobody is left to answer and nothing failed on our side.
  if (error.code === 'ERR_STREAM_PREMATURE_CLOSE') {
    request.log.info('the client closed the connection before the stream began');
    return new AppError('MALFORMED_REQUEST', 'The connection was closed before the reply began.');
  }
  request.log.error({ err: error }, 'unhandled error');
  return new AppError('INTERNAL', `Something went wrong on our side (request ${request.id}).`, { request_id: request.id });
}

/**
 * The methods each registered path answers, to tell a wrong method (405 with Allow) from an unknown
 * path (404). Fastify's router answers neither question for a concrete URL, so every route is
 * recorded as it is added, its pattern made a regular expression (`:param` one segment, `*` the rest).
 */
function createRouteMethods() {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  return {
    add(route: RouteOptions) {
      // Catch-alls (CORS preflights, the web app's GET fallback) answer what no route claims: they
      // make no path known, and the web app's fallback answers a server path 404.
      if (route.url === '*' || route.url === '/*') return;
      const source = route.url
        .replace(/\/+$/, '')
        .split('/')
        .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : escape(segment)))
        .join('/');
      routes.push({ pattern: new RegExp(`^${source}/?$`), methods: [route.method].flat() });
    },
    /** The methods some route answers at this path, sorted; none for an unknown path. */
    allowedAt(path: string): string[] {
      const allowed = new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods));
      return [...allowed].sort();
    },
  };
}

/**
 * The app's error and not-found handlers. `render` picks the shape by path: a scope with handlers
 * of its own (/v1) answers in its shape, and what reaches these (a verb no route of the scope
 * answers) still reads as the path's clients expect.
 */
export function registerProblemHandler(app: FastifyInstance, render: RenderError = renderProblem) {
  const routeMethods = createRouteMethods();
  app.addHook('onRoute', (route) => routeMethods.add(route));

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
    sendRendered(reply, render(toAppError(error, request), request.url)),
  );

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = routeMethods.allowedAt(path);
    if (allowed.length) {
      reply.header('allow', allowed.join(', '));
      const detail = `${request.method} is not allowed on ${path}; it answers ${allowed.join(', ')}.`;
      return sendRendered(reply, render(new AppError('METHOD_NOT_ALLOWED', detail), request.url));
    }
    return sendRendered(reply, render(new AppError('NOT_FOUND', `No route for ${request.method} ${path}`), request.url));
  });
}
