// JSON Schema -> fast-check arbitrary of values the schema accepts: the "valid" half of the fuzz run.
// Only the keywords the zod routes produce (openapi-operations.ts); `hints` replace the arbitrary of
// a property by name with realistic values (the fixture's ids, the demo model), so that valid
// requests reach the service's rules instead of stopping at "no such conversation".
import fc from 'fast-check';
import type { JsonSchema } from './openapi-operations.js';

export type Hints = Record<string, fc.Arbitrary<unknown>>;

/** Long enough to matter, short enough that a valid run stays cheap. */
const MAX_VALID_STRING = 64;
const MAX_VALID_ITEMS = 4;

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? MAX_VALID_STRING, MAX_VALID_STRING));
  return fc.oneof(
    fc.string({ minLength, maxLength, unit: 'grapheme-ascii' }),
    fc.string({ minLength, maxLength, unit: 'grapheme' }),
    // The longest the schema allows, once in a while.
    fc.constant('x'.repeat(schema.maxLength ?? minLength)),
  );
}

function integerOf(schema: JsonSchema): fc.Arbitrary<number> {
  const min = BigInt(Math.ceil(schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : (schema.minimum ?? Number.MIN_SAFE_INTEGER)));
  const max = BigInt(Math.floor(schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : (schema.maximum ?? Number.MAX_SAFE_INTEGER)));
  const small = min + 1000n < max ? min + 1000n : max;
  return fc.oneof(fc.bigInt({ min, max: small }), fc.bigInt({ min, max }), fc.constantFrom(min, max)).map(Number);
}

function numberOf(schema: JsonSchema): fc.Arbitrary<number> {
  const min = schema.minimum ?? -1e12;
  const max = schema.maximum ?? 1e12;
  return fc.oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(min, max));
}

function objectOf(schema: JsonSchema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, hints[name] ?? arbitraryOf(s, hints)]));
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) });
}

/** Values that `schema` accepts (as far as JSON Schema says: refinements in code may still refuse). */
export function arbitraryOf(schema: JsonSchema, hints: Hints = {}): fc.Arbitrary<unknown> {
  const inner = nonNullOf(schema, hints);
  return schema.nullable ? fc.option(inner, { nil: null, freq: 6 }) : inner;
}

function nonNullOf(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => arbitraryOf(s, hints)));
  switch (schema.type) {
    case 'string':
      return stringOf(schema);
    case 'integer':
      return integerOf(schema);
    case 'number':
      return numberOf(schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? MAX_VALID_ITEMS, MAX_VALID_ITEMS));
      return fc.array(arbitraryOf(schema.items ?? {}, hints), { minLength, maxLength });
    }
    case 'object':
      return objectOf(schema, hints);
    default:
      return schema.properties ? objectOf(schema, hints) : fc.jsonValue({ maxDepth: 2 });
  }
}

/** A query or path value as it travels in a URL. */
export function asUrlText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
