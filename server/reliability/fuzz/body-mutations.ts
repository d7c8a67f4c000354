// Mutations of what a request says: one member of the body (or a query or path value) made wrong in
// type, missing, null, huge, deeply nested, at or past a number's limits, with NUL, lone surrogates
// or invalid UTF-8; extra and duplicated members; bodies that are not JSON or not a body at all.
import fc from 'fast-check';
import { deleteAt, pathsOf, setAt, valueAt, type JsonPath } from './json-paths.js';
import { rawBytes, rawJson, renderBody, type RequestParts } from './request.js';

export interface Mutation {
  name: string;
  arb(parts: RequestParts): fc.Arbitrary<RequestParts>;
}

const hasBody = (parts: RequestParts) => parts.body !== undefined && typeof parts.body === 'object' && parts.body !== null;

/** A place to break: a member of the body when there is one (or the body itself), else a new body. */
function placeIn(parts: RequestParts): fc.Arbitrary<JsonPath> {
  const paths = hasBody(parts) ? pathsOf(parts.body) : [];
  return paths.length
    ? fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...paths) }, { weight: 1, arbitrary: fc.constant<JsonPath>([]) })
    : fc.constant<JsonPath>([]);
}

/** The same request with `value` at one place of its body (a bodyless route gets a JSON body). */
function withValue(values: fc.Arbitrary<unknown>) {
  return (parts: RequestParts) =>
    fc.tuple(placeIn(parts), values).map(([path, value]): RequestParts => ({
      ...parts,
      contentType: parts.contentType ?? 'application/json',
      body: setAt(hasBody(parts) ? parts.body : {}, path, value),
    }));
}

const wrongTypes = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.string({ maxLength: 8 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);
const sizes = fc.constantFrom(257, 20_001, 100_001, 300_000);
const depths = fc.constantFrom(64, 1_000, 10_000, 100_000);
const NUMBERS = [0, -0, -1, 1, 0.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 2 ** 53, 2 ** 63, 1e308, -1e308, 5e-324];
const RAW_NUMBERS = ['1e400', '-1e400', `1${'0'.repeat(400)}`, '1.0', '1e2', '-0.0', '0x10', 'NaN', 'Infinity', '01'];
const withNul = fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b]) => `${a}\u0000${b}`);
const surrogates = fc.constantFrom('\ud800', 'a\udc00b', '\udfff\ud800', `${'x'.repeat(10)}\ud83d`);
const INVALID_UTF8 = [[0xff], [0xfe, 0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xe2, 0x82], [0x80]];

function extraField(parts: RequestParts): fc.Arbitrary<RequestParts> {
  const objects = hasBody(parts) ? [[] as JsonPath, ...pathsOf(parts.body).filter((p) => isObject(valueAt(parts.body, p)))] : [[] as JsonPath];
  const names = fc.oneof(
    fc.constantFrom('role', 'tier', 'is_active', 'user_id', 'id', 'monthly_token_cap', 'used', '__proto__', 'constructor', 'prototype'),
    fc.string({ minLength: 1, maxLength: 12 }),
  );
  return fc.tuple(fc.constantFrom(...objects), names, fc.jsonValue({ maxDepth: 2 })).map(([path, name, value]) => {
    const base = hasBody(parts) ? parts.body : {};
    const target = { ...(valueAt(base, path) as object), [name]: value };
    return { ...parts, contentType: parts.contentType ?? 'application/json', body: setAt(base, path, target) };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The body's JSON with one key written twice, the second time with another value. */
function duplicateKeys(parts: RequestParts): fc.Arbitrary<RequestParts> {
  const body = isObject(parts.body) ? parts.body : { model: 'demo' };
  const keys = Object.keys(body);
  return fc.tuple(fc.constantFrom(...(keys.length ? keys : ['x'])), wrongTypes, fc.boolean()).map(([key, value, first]) => {
    const json = renderBody('application/json', body).toString();
    const extra = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
    const text = json === '{}' ? `{${extra},${extra}}` : first ? `{${extra},${json.slice(1)}` : `${json.slice(0, -1)},${extra}}`;
    return { ...parts, contentType: 'application/json', body: text };
  });
}

const NOT_JSON = [
  '',
  ' ',
  '{',
  '}',
  '[',
  'null',
  '[]',
  '"text"',
  '123',
  'true',
  '{"a":1}trailing',
  '\ufeff{}',
  "{'a':1}",
  '{"a":1,}',
  '{"a":undefined}',
  '\u0000',
];

export const BODY_MUTATIONS: Mutation[] = [
  { name: 'wrong-type', arb: withValue(wrongTypes) },
  {
    name: 'missing-field',
    arb: (parts) => placeIn(parts).map((path) => ({ ...parts, body: hasBody(parts) ? deleteAt(parts.body, path) : undefined })),
  },
  { name: 'extra-field', arb: extraField },
  { name: 'null-field', arb: withValue(fc.constant(null)) },
  { name: 'huge-string', arb: withValue(sizes.map((n) => 'x'.repeat(n))) },
  { name: 'huge-array', arb: withValue(fc.tuple(fc.constantFrom(1_000, 20_000), wrongTypes).map(([n, item]) => new Array<unknown>(n).fill(item))) },
  {
    name: 'deep-nesting',
    arb: withValue(
      fc.tuple(depths, fc.boolean()).map(([n, arrays]) => rawJson(arrays ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`)),
    ),
  },
  { name: 'number-limits', arb: withValue(fc.oneof(fc.constantFrom(...NUMBERS), fc.constantFrom(...RAW_NUMBERS).map(rawJson))) },
  {
    name: 'nul-in-text',
    arb: (parts) =>
      fc.oneof(
        withValue(withNul)(parts),
        // ...in a key, and in the query and the path.
        extraField(parts).map((p) => (isObject(p.body) ? { ...p, body: Object.fromEntries(Object.entries(p.body).map(([k, v]) => [`${k}\u0000`, v])) } : p)),
        fc.constant<RequestParts>({ ...parts, query: [...parts.query.map(([k, v]): [string, string] => [k, `${v}%00`]), ['q', 'a%00b']] }),
        fc.constant<RequestParts>({ ...parts, pathValues: Object.fromEntries(Object.entries(parts.pathValues).map(([k, v]) => [k, `${v}%00`])) }),
      ),
  },
  { name: 'lone-surrogate', arb: withValue(surrogates) },
  {
    name: 'bad-utf8',
    arb: (parts) =>
      fc.oneof(
        withValue(fc.constantFrom(...INVALID_UTF8).map(rawBytes))(parts),
        fc
          .constantFrom(...INVALID_UTF8)
          .map((bytes): RequestParts => ({ ...parts, query: [...parts.query, ['q', bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('')]] })),
      ),
  },
  { name: 'duplicate-keys', arb: duplicateKeys },
  { name: 'not-json', arb: (parts) => fc.constantFrom(...NOT_JSON).map((body) => ({ ...parts, contentType: 'application/json', body })) },
];
