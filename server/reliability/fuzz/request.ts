// One fuzz request: first as parts (an operation, who sends it, its path values, query and body),
// which the mutations change, then rendered to what goes on the wire. A placeholder inside a JSON
// string lets a mutation put text there that JSON.stringify cannot write (1e400, invalid UTF-8).
import type { Operation } from './openapi-operations.js';

export type Who = 'user' | 'exhausted' | 'admin' | 'invalid' | 'none' | 'wrong-kind';

export interface RequestParts {
  op: Operation;
  who: Who;
  method: string;
  pathValues: Record<string, string>;
  /** Already URL-encoded key=value pairs, in order (a mutation may repeat a key). */
  query: Array<[string, string]>;
  contentType?: string;
  body?: unknown;
  headers: Record<string, string>;
  /** A path that replaces the operation's (a mutation that bends the path itself). */
  pathOverride?: string;
}

export interface FuzzRequest {
  /** 'valid' or the mutation that made it. */
  kind: string;
  /** The operation it came from, e.g. "POST /api/chat". */
  route: string;
  who: Who;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** A whole request sent over a plain socket: what node:http refuses to send (NUL in a header...). */
  raw?: string;
  /** Drop the connection after the first chunk of the response (a client that goes away). */
  abortAfterFirstChunk?: boolean;
}

const MARK = '\u0001';
/** A JSON string that renders as `text` verbatim (not as a string) in the body. */
export const rawJson = (text: string) => `${MARK}RAW:${text}${MARK}`;
/** A JSON string whose bytes become `bytes` verbatim (invalid UTF-8, say). */
export const rawBytes = (bytes: number[]) => `${MARK}BYTES:${bytes.join(',')}${MARK}`;

const RAW_JSON = /"\\u0001RAW:((?:[^\\]|\\(?!u0001))*)\\u0001"/g;
const RAW_BYTES = /\\u0001BYTES:([0-9,]+)\\u0001/;

function unescapeJsonText(escaped: string): string {
  return JSON.parse(`"${escaped}"`) as string;
}

/** The body as it is sent: JSON with the placeholders replaced, or a form, or a string as is. */
export function renderBody(contentType: string | undefined, body: unknown): string | Uint8Array {
  if (typeof body === 'string' && !body.includes(MARK)) return body;
  if (body instanceof Uint8Array) return body;
  if (contentType?.includes('x-www-form-urlencoded') && body && typeof body === 'object') {
    return new URLSearchParams(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
  }
  const json = (JSON.stringify(body) ?? 'null').replace(RAW_JSON, (_all, text: string) => unescapeJsonText(text));
  const bytes = RAW_BYTES.exec(json);
  if (!bytes) return json;
  const before = Buffer.from(json.slice(0, bytes.index));
  const after = Buffer.from(json.slice(bytes.index + bytes[0].length));
  return Buffer.concat([before, Buffer.from(bytes[1]!.split(',').map(Number)), after]);
}

export function render(parts: RequestParts, kind: string): FuzzRequest {
  const path = parts.pathOverride ?? parts.op.path.replace(/\{(\w+)\}/g, (_all, name: string) => parts.pathValues[name] ?? '');
  const query = parts.query.map(([k, v]) => `${k}=${v}`).join('&');
  const headers = { ...parts.headers };
  if (parts.contentType !== undefined) headers['content-type'] = parts.contentType;
  return {
    kind,
    route: `${parts.op.method} ${parts.op.path}`,
    who: parts.who,
    method: parts.method,
    url: query ? `${path}?${query}` : path,
    headers,
    ...(parts.body !== undefined && { body: renderBody(parts.contentType, parts.body) }),
  };
}

/** A request as a failure report prints it: long strings cut, bytes shown as text. */
export function describeRequest(request: FuzzRequest): string {
  const cut = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…(${text.length} chars)` : text);
  const body = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('latin1');
  const shown = {
    ...request,
    url: cut(request.url),
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, cut(v)])),
    ...(body !== undefined && { body: cut(body) }),
    ...(request.raw !== undefined && { raw: cut(request.raw) }),
  };
  return JSON.stringify(shown, null, 2);
}
