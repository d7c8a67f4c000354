// What a refusal must look like: RFC 9457 problem+json on /api, OpenAI's error shape under /v1.
import type { LightMyRequestResponse } from 'fastify';
import { z } from 'zod';
import { ERRORS } from '../../src/lib/errors.js';

const problem = z.object({
  type: z.url(),
  title: z.string().min(1),
  status: z.number().int(),
  detail: z.string().min(1),
  code: z.enum(Object.keys(ERRORS) as [keyof typeof ERRORS]),
  instance: z.string().optional(),
});
const openAiError = z.object({
  error: z.object({ message: z.string().min(1), type: z.string().min(1), param: z.string().nullable(), code: z.string().nullable() }).strict(),
});

/** Why `res` is not the refusal `status` in the shape its path promises, or undefined when it is. */
export function refusalProblem(path: string, res: LightMyRequestResponse, statuses: number[]): string | undefined {
  const v1 = path.startsWith('/v1/');
  const where = `answered ${res.statusCode} ${res.headers['content-type']} ${res.body.slice(0, 300)}`;
  if (!statuses.includes(res.statusCode)) return `expected ${statuses.join(' or ')}; ${where}`;
  const type = String(res.headers['content-type'] ?? '');
  if (!type.startsWith(v1 ? 'application/json' : 'application/problem+json')) return `wrong content type; ${where}`;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return `not JSON; ${where}`;
  }
  const parsed = (v1 ? openAiError : problem).safeParse(body);
  if (!parsed.success)
    return `not ${v1 ? "OpenAI's error shape" : 'a problem'} (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); ${where}`;
  if (!v1 && (body as { status: number }).status !== res.statusCode) return `problem status differs from the HTTP status; ${where}`;
  if (v1 && res.statusCode === 401 && (body as z.infer<typeof openAiError>).error.code !== 'invalid_api_key')
    return `401 without code invalid_api_key; ${where}`;
  return undefined;
}

/** A response with the given ids replaced by "<id>", for comparing an answer about one id with one about another. */
export function normalised(res: LightMyRequestResponse, ids: string[]): { status: number; type: string; body: string } {
  let body = res.body;
  for (const id of ids) body = body.replaceAll(id, '<id>').replaceAll(encodeURIComponent(id), '<id>');
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body };
}
