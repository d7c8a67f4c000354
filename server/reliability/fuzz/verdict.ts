// What every answer must be, whatever was asked: no 5xx, no answer slower than the bound, and every
// 4xx in the shape its clients parse (problem+json under /api, OpenAI's error object under /v1),
// showing nothing of the inside (stack frames, SQL, file paths).
import { isOpenAiPath } from '../../src/features/openai-api/openai-errors.js';
import type { FuzzRequest } from './request.js';
import type { Outcome } from './send.js';

/** The bound on any one answer (a stream read to its end included); README.md states it. */
export const LATENCY_BOUND_MS = 5_000;

const LEAKS = /\n\s+at |node_modules|\.ts:\d+|\bSELECT\b|\bINSERT INTO\b|password_hash|relation "|syntax error at|violates|invalid byte sequence/i;

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The URL the server was asked for, as the request line of a raw request names it. */
function askedUrl(request: FuzzRequest): string {
  if (request.raw === undefined) return request.url;
  // An absolute-form target (GET http://host/v1/models) names the path after its origin.
  return (/^\S+ (\S+)/.exec(request.raw)?.[1] ?? '').replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
}

function shapeProblems(request: FuzzRequest, out: Outcome): string[] {
  const type = String(out.headers['content-type'] ?? '');
  const bodyless = request.method === 'HEAD';
  const body = parseJson(out.body) as Record<string, unknown> | undefined;
  if (isOpenAiPath(askedUrl(request))) {
    if (!/^application\/json/.test(type)) return [`a /v1 ${out.status} answered in ${type || 'no content type'}, not application/json`];
    if (bodyless) return [];
    const error = body?.error as Record<string, unknown> | undefined;
    if (!error || typeof error.message !== 'string' || typeof error.type !== 'string' || !('code' in error)) {
      return [`a /v1 ${out.status} is not OpenAI's {error: {message, type, code}}: ${out.body.toString('utf8').slice(0, 300)}`];
    }
    return [];
  }
  if (!/^application\/problem\+json/.test(type)) return [`a ${out.status} answered in ${type || 'no content type'}, not application/problem+json`];
  if (bodyless) return [];
  if (!body || typeof body.type !== 'string' || typeof body.title !== 'string' || body.status !== out.status) {
    return [`a ${out.status} is not a problem with type, title and its status: ${out.body.toString('utf8').slice(0, 300)}`];
  }
  return [];
}

/** What is wrong with this answer to this request; empty when nothing is. */
export function problemsWith(request: FuzzRequest, out: Outcome): string[] {
  if (out.error) return [`no answer: ${out.error}`];
  const problems: string[] = [];
  if (out.ms > LATENCY_BOUND_MS) problems.push(`answered in ${Math.round(out.ms)} ms, over the ${LATENCY_BOUND_MS} ms bound`);
  if (out.status >= 500) problems.push(`answered ${out.status}: ${out.body.toString('utf8').slice(0, 300)}`);
  if (out.status >= 400 && out.status < 500) problems.push(...shapeProblems(request, out));
  if (out.status >= 400 && LEAKS.test(out.body.toString('utf8'))) problems.push(`the answer shows internals: ${out.body.toString('utf8').slice(0, 300)}`);
  return problems;
}

export const isRefusal = (out: Outcome) => !out.error && out.status >= 400;
