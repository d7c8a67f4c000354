// The operations the server documents, read from the OpenAPI document it serves (GET /openapi.json):
// every path and verb, with the JSON schemas of its path parameters, query and bodies. A route added
// with a schema joins the fuzz run by being in this document; nothing here lists routes by hand.

/** The subset of JSON Schema that the zod routes produce (OpenAPI 3.0 flavour: `nullable`). */
export interface JsonSchema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';
  nullable?: boolean;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

export type Credential = 'bearerAuth' | 'apiKey';

export interface Operation {
  method: string;
  /** The OpenAPI template, e.g. /api/conversations/{id}. */
  path: string;
  pathParams: Parameter[];
  query: Parameter[];
  /** Body schema per content type; empty for routes without a body. */
  bodies: Record<string, JsonSchema>;
  bodyRequired: boolean;
  /** The credential the route needs, if any. */
  credential?: Credential;
}

interface OpenApiOperation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema: JsonSchema }> };
  security?: Array<Record<string, unknown>>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

const VERBS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([verb]) => VERBS.has(verb))
      .map(([verb, op]): Operation => {
        const parameters = op.parameters ?? [];
        const credential = op.security?.flatMap((s) => Object.keys(s))[0] as Credential | undefined;
        return {
          method: verb.toUpperCase(),
          path,
          pathParams: parameters.filter((p) => p.in === 'path'),
          query: parameters.filter((p) => p.in === 'query'),
          bodies: Object.fromEntries(Object.entries(op.requestBody?.content ?? {}).map(([type, c]) => [type, c.schema])),
          bodyRequired: Boolean(op.requestBody?.required),
          credential,
        };
      }),
  );
}

/** Every verb some route answers somewhere, for asking the others at each path. */
export function methodsAt(operations: Operation[], path: string): string[] {
  return operations.filter((o) => o.path === path).map((o) => o.method);
}
