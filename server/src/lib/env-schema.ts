// Settings are one zod schema shaped like the Config the server reads, each leaf marked with the
// environment variable it comes from: `fromEnv('PORT', wholeNumber(0, 3000, 65_535))`. The name is
// written there and nowhere else; readEnv() gathers the variables into the schema's shape, and
// problemsOf() names each problem after its variable. Checks across variables are refinements
// or transforms of the object that holds them, and name a leaf through the issue's path.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const variableOf = new WeakMap<z.ZodType, string>();

/** Marks a leaf of the settings schema as read from the variable `name`. */
export function fromEnv<T extends z.ZodType>(name: string, schema: T): T {
  variableOf.set(schema, name);
  return schema;
}

/** An object's shape, also behind a transform or refinement of the object. */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodPipe) return shapeOf(schema.in as z.ZodType);
  return undefined;
}

/**
 * The input of `schema` gathered from env: each marked leaf gets its variable, an empty value
 * (`NAME=` in a .env file) meaning not set. Reads only the variables the schema names.
 */
export function readEnv(schema: z.ZodType, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shapeOf(schema) ?? {})) {
    const name = variableOf.get(field);
    if (name !== undefined) input[key] = env[name] === '' ? undefined : env[name];
    else if (shapeOf(field)) input[key] = readEnv(field, env);
  }
  return input;
}

/** The variable a path of the schema leads to (the first marked leaf on it). */
export function variableAt(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  let at: z.ZodType | undefined = schema;
  for (const key of path) {
    at = shapeOf(at)?.[String(key)];
    if (!at) return undefined;
    const name = variableOf.get(at);
    if (name !== undefined) return name;
  }
  return undefined;
}

/** A problem worded whole, not after a variable (e.g. `model "x" is configured twice`). */
export const WHOLE_LINE = { line: true } as const;

/** One line per problem: "NAME: what is wrong", or the message itself when it is a whole line. */
export function problemsOf(schema: z.ZodType, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'custom' && issue.params?.line) return issue.message;
    return `${variableAt(schema, issue.path) ?? issue.path.join('.')}: ${issue.message}`;
  });
}

const wholeNumberIssue = (v: string, min: number, max: number) =>
  `must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}, got "${v}"`;

/** A whole number from min to max, `fallback` when not set. */
export const wholeNumber = (min: number, fallback: number, max = Number.MAX_SAFE_INTEGER) => optionalWholeNumber(min, max).transform((n) => n ?? fallback);

/** A whole number from min to max, undefined when not set. */
export const optionalWholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: wholeNumberIssue(v, min, max) });
        return z.NEVER;
      }
      return n;
    });

/** true/1/yes or false/0/no, `fallback` when not set. */
export const yesNo = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : ['true', '1', 'yes'].includes(v)));

/** Trimmed text, undefined when blank. */
export const trimmed = () =>
  z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined);

/** Comma-separated values, trimmed, blanks dropped. */
export const commaList = () =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

/**
 * The contents of a JSON file a setting names, checked against schema; a problem (unreadable,
 * not JSON, not the shape) is added to ctx, naming the variable and the file, and answers z.NEVER.
 */
export function readJsonFile<T>(variable: string, file: string, schema: z.ZodType<T>, ctx: z.RefinementCtx): T | typeof z.NEVER {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `cannot read "${file}" as JSON (${(err as Error).message})` });
    return z.NEVER;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `${variable} (${file}) ${i.path.join('.')}: ${i.message}`, params: WHOLE_LINE });
  return z.NEVER;
}
