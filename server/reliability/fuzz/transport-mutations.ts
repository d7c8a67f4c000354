// Mutations of how a request travels: content types, bodies where none belong, ids that are not
// UUIDs, odd queries and paths, other verbs, oversized and odd headers, and requests that only a
// plain socket can send (NUL or a bare CR in a header, broken chunking, a bad request line).
import fc from 'fast-check';
import type { Mutation } from './body-mutations.js';
import type { RequestParts } from './request.js';

const CONTENT_TYPES = [
  undefined,
  '',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json, text/plain',
  'application/jsonx',
  'application/merge-patch+json',
  'application/octet-stream',
  '*/*',
];

const BAD_IDS = [
  'not-a-uuid',
  '1',
  '-1',
  '0',
  encodeURIComponent("1' OR '1'='1"),
  encodeURIComponent("'; DROP TABLE users; --"),
  encodeURIComponent('$1'),
  '..',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  'a'.repeat(5_000),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
  '4b1e6e8a-5a43-4c2e-9d53-2a4c7d0e2f1',
  '4b1e6e8a-5a43-4c2e-9d53-2a4c7d0e2f11%20',
  '{4b1e6e8a-5a43-4c2e-9d53-2a4c7d0e2f11}',
  '4b1e6e8a5a434c2e9d532a4c7d0e2f11',
  '%F0%9F%98%80',
  '%F0%9F%98',
  '%E0%A4%A',
  '%zz',
  'null',
  'undefined',
  '%5B%5D',
];

const QUERY_VALUES = ['abc', '1.5', '-1', '0', '1e400', '999999999999999999999', '', '%00', '%E0%A4%A', '%zz', '%', 'true', '[]', '%5B%5D', 'x'.repeat(10_000)];

const OTHER_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'LOCK', 'PURGE'];

function otherQuery(parts: RequestParts): fc.Arbitrary<RequestParts> {
  const names = [...parts.op.query.map((p) => p.name), 'unknown', 'q[]', 'q[a]', 'limit', '__proto__'];
  return fc.tuple(fc.constantFrom(...names), fc.constantFrom(...QUERY_VALUES), fc.boolean()).map(([name, value, repeat]) => ({
    ...parts,
    query: [...parts.query, [name, value], ...(repeat ? [[name, value] as [string, string]] : [])],
  }));
}

const PATH_SHAPES: Array<(path: string) => string> = [
  (p) => `${p}/extra`,
  (p) => `/${p}`,
  (p) => p.replace(/\/([^/]+)$/, '/%2e%2e/$1'),
  (p) => p.toUpperCase(),
  (p) => `${p};x=1`,
  (p) => `${p}%20`,
  (p) => `${p}/..`,
  (p) => p.replace('/', '//'),
  (p) => `${p}#fragment`,
  (p) => `${p}%2f`,
];

/** The route's path (ids filled in) in a shape that is almost it. */
function pathShape(parts: RequestParts): fc.Arbitrary<RequestParts> {
  return fc.constantFrom(...PATH_SHAPES).map((shape) => {
    const path = parts.op.path.replace(/\{(\w+)\}/g, (_a, name: string) => parts.pathValues[name] ?? '');
    return { ...parts, pathOverride: shape(path) };
  });
}

const headerSizes = fc.constantFrom(16_500, 40_000, 100_000);
/** Thousands of small headers: built once, they are the same every time. */
const MANY_HEADERS = [2_500, 5_000].map((n) => Object.fromEntries(Array.from({ length: n }, (_v, i) => [`x-h${i}`, 'v'])));
function oversizedHeaders(parts: RequestParts): fc.Arbitrary<RequestParts> {
  return fc.oneof(
    fc.tuple(fc.constantFrom('x-fuzz', 'authorization', 'cookie', 'user-agent'), headerSizes).map(([name, size]) => ({
      ...parts,
      headers: { ...parts.headers, [name]: name === 'authorization' ? `Bearer ${'a'.repeat(size)}` : 'a'.repeat(size) },
    })),
    fc.constantFrom(...MANY_HEADERS).map((many) => ({ ...parts, headers: { ...parts.headers, ...many } })),
    headerSizes.map((size): RequestParts => ({ ...parts, query: [...parts.query, ['long', 'a'.repeat(size)]] })),
  );
}

const AUTH_HEADERS = [
  'Bearer',
  'Bearer ',
  'Bearer  x',
  'Basic dXNlcjpwYXNz',
  'bearer x.y.z',
  'Token abc',
  'Bearer a.b',
  'Bearer ..',
  'Bearer eyJhbGciOiJub25lIn0.e30.',
];

export const TRANSPORT_MUTATIONS: Mutation[] = [
  {
    name: 'content-type',
    arb: (parts) =>
      fc.constantFrom(...CONTENT_TYPES).map((contentType) => ({ ...parts, contentType, body: parts.body ?? { model: 'demo', content: 'hello' } })),
  },
  {
    name: 'body-on-bodyless',
    arb: (parts) =>
      fc
        .tuple(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('application/json', 'text/plain', undefined))
        .map(([body, contentType]) => ({ ...parts, contentType, body: parts.body ?? body })),
  },
  {
    name: 'bad-id',
    arb: (parts) =>
      fc.constantFrom(...BAD_IDS).map((id) => ({
        ...parts,
        pathValues: Object.fromEntries(Object.keys(parts.pathValues).map((k) => [k, id])),
        ...(parts.op.pathParams.length === 0 &&
          typeof parts.body === 'object' &&
          parts.body && { body: { ...parts.body, conversation_id: id, message_id: id } }),
      })),
  },
  { name: 'query', arb: otherQuery },
  { name: 'path-shape', arb: pathShape },
  { name: 'other-method', arb: (parts) => fc.constantFrom(...OTHER_METHODS).map((method) => ({ ...parts, method })) },
  { name: 'oversized-headers', arb: oversizedHeaders },
  {
    name: 'auth-header',
    arb: (parts) => fc.constantFrom(...AUTH_HEADERS).map((authorization) => ({ ...parts, headers: { ...parts.headers, authorization } })),
  },
];

/** Requests that node:http will not send: written to a socket as they are. */
export function rawRequest(parts: RequestParts, url: string, authorization: string | undefined): fc.Arbitrary<string> {
  const line = `${parts.method} ${url} HTTP/1.1`;
  const auth = authorization ? `Authorization: ${authorization}\r\n` : '';
  const head = (extra: string) => `${line}\r\nHost: localhost\r\n${auth}${extra}Connection: close\r\n\r\n`;
  return fc.constantFrom(
    head('X-Fuzz: a\u0000b\r\n'),
    head('X-Fuzz: a\rb\r\n'),
    head('X-Fuzz\u0000: a\r\n'),
    head(' X-Folded: a\r\n'),
    head('X-Fuzz: a\r\n  folded\r\n'),
    head('Content-Length: 5\r\nContent-Length: 6\r\n') + 'hello!',
    head('Content-Length: abc\r\n'),
    head('Content-Length: -1\r\n'),
    head('Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n') + 'zz\r\n{}\r\n0\r\n\r\n',
    head('Transfer-Encoding: chunked\r\nContent-Length: 2\r\nContent-Type: application/json\r\n') + '2\r\n{}\r\n0\r\n\r\n',
    head('Transfer-Encoding: gzip, chunked\r\n') + '0\r\n\r\n',
    // A body with no length: its bytes read as the next request.
    `${line}\r\nHost: localhost\r\n${auth}Content-Type: application/json\r\n\r\n{"model":"demo"}`,
    `G@T ${url} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    `${parts.method} ${url} HTTP/9.9\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    `${parts.method} ${url.replace(/^\/\w+/, (s) => `${s} x`)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    `${parts.method} http://elsewhere.example${url} HTTP/1.1\r\nHost: localhost\r\n${auth}Connection: close\r\n\r\n`,
    // Latin-1 bytes where UTF-8 belongs, and a raw NUL, in a JSON body (10 bytes).
    head('Content-Type: application/json\r\nContent-Length: 10\r\n') + '{"a":"\u00ff\u0000"}',
  );
}
