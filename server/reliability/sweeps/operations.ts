// The routes to sweep, read from the OpenAPI document the server serves (GET /openapi.json), so
// that a route joins every sweep by being in the document, with no list kept here by hand.
import type { FastifyInstance } from 'fastify';
// The JSON Schema subset the zod routes produce: one description for the fuzzer and the sweeps.
import type { JsonSchema } from '../fuzz/openapi-operations.js';

export type { JsonSchema };

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Which credential a route takes, from its `security`: the session's JWT (/api) or an API key (/v1). */
export type Credential = 'session' | 'apiKey' | 'none';
const SCHEMES: Record<string, Credential> = { bearerAuth: 'session', apiKey: 'apiKey' };

export interface Operation {
  /** e.g. "PATCH /api/conversations/{id}": the name of its tests, for `-t`. */
  name: string;
  method: HttpMethod;
  path: string;
  pathParams: string[];
  credential: Credential;
  /** Needs the admin role: under /api/admin or tagged admin. */
  admin: boolean;
  /** The application/json request body's schema, when it takes one. */
  jsonBody?: JsonSchema;
}

interface OpenApiOperation {
  security?: Record<string, unknown>[];
  tags?: string[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

export async function loadOperations(app: FastifyInstance): Promise<Operation[]> {
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}`);
  const doc = res.json<{ paths: Record<string, Record<string, OpenApiOperation>> }>();
  const operations: Operation[] = [];
  for (const [path, verbs] of Object.entries(doc.paths)) {
    for (const [verb, op] of Object.entries(verbs)) {
      const method = verb.toUpperCase() as HttpMethod;
      if (!HTTP_METHODS.includes(method)) throw new Error(`the sweeps do not know the verb ${verb} of ${path}`);
      operations.push({
        name: `${method} ${path}`,
        method,
        path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
        credential: credentialOf(`${method} ${path}`, op.security),
        admin: path.startsWith('/api/admin/') || Boolean(op.tags?.includes('admin')),
        jsonBody: op.requestBody?.content['application/json']?.schema,
      });
    }
  }
  return operations;
}

function credentialOf(name: string, security: Record<string, unknown>[] | undefined): Credential {
  if (!security || security.length === 0) return 'none';
  const schemes = security.flatMap((s) => Object.keys(s));
  const kinds = new Set(schemes.map((s) => SCHEMES[s]));
  // A scheme the sweeps cannot forge credentials for must fail here, not be swept as public.
  if (kinds.has(undefined) || kinds.size !== 1)
    throw new Error(`${name}: security ${JSON.stringify(security)} is not one the sweeps know (operations.ts SCHEMES)`);
  return [...kinds][0]!;
}

/** The URL of an operation with its path parameters filled in. */
export function urlOf(op: Pick<Operation, 'path'>, params: Record<string, string>): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {${name}} of ${op.path}`);
    return encodeURIComponent(value);
  });
}
