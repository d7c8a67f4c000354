// Request bodies made from a route's JSON schema: the sweeps need bodies the route accepts, or a
// refusal would be its validation, not its authorization. Values come from the schema (enums,
// lengths, bounds) and, where a schema cannot say what is valid, from a hint by field name (a
// model that exists, the caller's own password). A body no candidate of which a route accepts
// fails the sweep that needed it, naming the route: add a hint here.
import { uniqueEmail } from '../../test/test-app.js';
import type { JsonSchema } from './operations.js';

/**
 * Routes whose bodies are valid only with something the sweeps do not set up, and what: there the
 * mass-assignment sweep checks only that the extras change nothing and counts the route as not
 * proven. Making one reachable (a captured mail, a fake Stripe) and removing it here is welcome.
 */
export const NEEDS_SETUP: Record<string, string> = {
  'POST /api/billing/checkout': 'billing configured with Stripe',
};

export interface BodyContext {
  /** The caller's email and password, for fields that must repeat them (log-in). */
  email: string;
  password: string;
  /** The value of an id field (conversation_id...): the sweep chooses whose. */
  idFor(field: string): string;
  isIdField(field: string, schema: JsonSchema): boolean;
  /** Values known for this request only, by field name (the token of a mailed link). */
  known?: Record<string, unknown>;
}

const TEXT = 'Written by the authorization sweep.';

/** A hint that has more than one valid value: each body is tried with each. */
class Alternatives {
  constructor(readonly values: unknown[]) {}
}

const HINTS: Record<string, (ctx: BodyContext) => unknown> = {
  model: () => 'demo',
  content: () => TEXT,
  messages: () => [{ role: 'user', content: TEXT }],
  // The caller's (log-in) or a new one (sign-up).
  email: (ctx) => new Alternatives([ctx.email, uniqueEmail('sweep')]),
  password: (ctx) => ctx.password,
  current_password: (ctx) => ctx.password,
  new_password: () => 'another correct horse battery',
  monthly_token_cap: () => 1_000_000,
  expires_at: () => '2099-01-01T00:00:00Z',
  stream: () => false,
};

export function sampleValue(schema: JsonSchema, field: string, ctx: BodyContext): unknown {
  if (ctx.known && field in ctx.known) return ctx.known[field];
  const hint = HINTS[field];
  if (hint) return hint(ctx); // may be Alternatives: expanded by `expand`
  if (ctx.isIdField(field, schema)) return ctx.idFor(field);
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sampleValue(schema.anyOf[0]!, field, ctx);
  switch (schema.type) {
    case 'string': {
      if (schema.pattern || schema.format) throw new Error(`no value for ${field} (${schema.pattern ?? schema.format}): add a hint in sweeps/bodies.ts`);
      return 'sweep'.padEnd(schema.minLength ?? 0, '-').slice(0, schema.maxLength ?? Infinity);
    }
    case 'integer':
    case 'number':
      return Math.min(schema.maximum ?? Infinity, Math.max(schema.minimum ?? 1, 1));
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sampleValue(schema.items ?? {}, field, ctx));
    case 'object':
      return objectOf(schema, ctx, schema.required ?? []);
    default:
      throw new Error(`no value for ${field} (${JSON.stringify(schema)}): add a hint in sweeps/bodies.ts`);
  }
}

function objectOf(schema: JsonSchema, ctx: BodyContext, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, sampleValue(schema.properties?.[f] ?? {}, f, ctx)]));
}

/** Bodies to try, most complete first: every field; the required ones; the required and hinted ones. */
export function simpleBodies(schema: JsonSchema, ctx: BodyContext): Record<string, unknown>[] {
  const all = Object.keys(schema.properties ?? {});
  const required = schema.required ?? [];
  return unique([all, required, [...new Set([...required, ...all.filter((f) => HINTS[f])])]].flatMap((fields) => expand(objectOf(schema, ctx, fields))));
}

/**
 * Bodies that carry ids, for routes that take them in the body (POST /api/chat's conversation_id
 * and message_id): each non-empty set of id fields, with each value of every enum field (or none)
 * and the other optional fields all present or all absent, since which ids a body may carry often
 * depends on another field ("action": only "edit" takes a message_id).
 */
export function bodiesWithIds(schema: JsonSchema, ctx: BodyContext, idFields: string[]): Record<string, unknown>[] {
  const props = schema.properties ?? {};
  const required = schema.required ?? [];
  const enums = Object.keys(props).filter((f) => props[f]!.enum && !idFields.includes(f));
  const others = Object.keys(props).filter((f) => !required.includes(f) && !idFields.includes(f) && !enums.includes(f));
  const bodies: Record<string, unknown>[] = [];
  for (const ids of subsets(idFields).filter((s) => s.length > 0)) {
    for (const withOthers of [true, false]) {
      const base = objectOf(schema, ctx, [...new Set([...required.filter((f) => !enums.includes(f)), ...ids, ...(withOthers ? others : [])])]);
      for (const choice of enumChoices(enums.map((f) => ({ f, values: [...props[f]!.enum!, ...(required.includes(f) ? [] : [undefined])] })))) {
        bodies.push(...expand({ ...base, ...choice }));
      }
    }
  }
  return unique(bodies);
}

/** One body per combination of the alternatives its top-level fields hold. */
function expand(body: Record<string, unknown>): Record<string, unknown>[] {
  return Object.entries(body).reduce<Record<string, unknown>[]>(
    (acc, [f, v]) => acc.flatMap((b) => (v instanceof Alternatives ? v.values : [v]).map((value) => ({ ...b, [f]: value }))),
    [{}],
  );
}

function subsets<T>(items: T[]): T[][] {
  return items.reduce<T[][]>((acc, item) => [...acc, ...acc.map((s) => [...s, item])], [[]]);
}

function enumChoices(fields: { f: string; values: unknown[] }[]): Record<string, unknown>[] {
  return fields.reduce<Record<string, unknown>[]>(
    (acc, { f, values }) => acc.flatMap((choice) => values.map((v) => (v === undefined ? choice : { ...choice, [f]: v }))),
    [{}],
  );
}

function unique(bodies: Record<string, unknown>[]): Record<string, unknown>[] {
  const seen = new Set<string>();
  return bodies.filter((b) => !seen.has(JSON.stringify(b)) && seen.add(JSON.stringify(b)));
}
