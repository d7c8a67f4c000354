// Sends a fuzz request over real HTTP and reads the whole answer (a stream to its end, or until the
// request asks to drop it after the first chunk). node:http for what it can send, with keep-alive;
// a plain socket for the rest, and for oversized headers, whose answer closes the connection.
import http, { type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import type { FuzzRequest } from './request.js';

export interface Outcome {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  ms: number;
  /** The client dropped the response after its first chunk, as asked. */
  aborted?: boolean;
  /** No answer at all: the connection failed or was closed without a response. */
  error?: string;
}

/** Longer than any bound the verdict sets: past it the request is given up on, and fails. */
const GIVE_UP_MS = 15_000;
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

export function closeConnections() {
  agent.destroy();
}

function viaHttp(base: URL, request: FuzzRequest, fresh: boolean): Promise<Outcome & { reused?: boolean }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = http.request({
        host: base.hostname,
        port: base.port,
        method: request.method,
        path: request.url,
        // Framed explicitly: node:http sends a GET's or a HEAD's body without a length otherwise.
        headers: request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        agent: fresh ? false : agent,
        timeout: GIVE_UP_MS,
      });
    } catch (err) {
      // node:http refused to send it (an invalid header value): not the server's fault.
      resolve({ status: 0, headers: {}, body: Buffer.alloc(0), ms: 0, error: `client refused: ${(err as Error).message}` });
      return;
    }
    const fail = (error: string) =>
      resolve({ status: 0, headers: {}, body: Buffer.alloc(0), ms: performance.now() - started, error, reused: req.reusedSocket });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${GIVE_UP_MS} ms`)));
    req.on('error', (err) => fail(err.message));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const done = (aborted: boolean) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started, aborted });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (request.abortAfterFirstChunk && res.statusCode === 200) {
          req.destroy();
          done(true);
        }
      });
      res.on('end', () => done(false));
      res.on('error', (err) => (request.abortAfterFirstChunk ? done(true) : fail(`response broke off: ${err.message}`)));
    });
    req.end(request.body);
  });
}

function parseRaw(data: Buffer): Pick<Outcome, 'status' | 'headers' | 'body'> {
  const end = data.indexOf('\r\n\r\n');
  const head = data.subarray(0, end < 0 ? data.length : end).toString('latin1');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = end < 0 ? Buffer.alloc(0) : data.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const lineEnd = data.indexOf('\r\n', at);
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 4 + size;
  }
  return Buffer.concat(parts);
}

function viaSocket(base: URL, raw: string | Buffer): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: base.hostname, port: Number(base.port) });
    socket.setTimeout(GIVE_UP_MS, () => socket.destroy(new Error(`no answer within ${GIVE_UP_MS} ms`)));
    // Written, not ended: a client that half-closes first has its request dropped by Node's server.
    socket.on('connect', () => socket.write(typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => socket.end());
    // The server may reset once it has answered a request it refused: what it sent still counts.
    socket.on('error', (err) => finish(err.message));
    socket.on('close', () => finish());
    let finished = false;
    function finish(error?: string) {
      if (finished) return;
      finished = true;
      const data = Buffer.concat(chunks);
      const ms = performance.now() - started;
      if (!data.length) resolve({ status: 0, headers: {}, body: data, ms, error: error ?? 'connection closed without an answer' });
      else resolve({ ...parseRaw(data), ms });
    }
  });
}

/** The request line and headers node:http would write, for sending oversized headers ourselves. */
function asRaw(request: FuzzRequest): Buffer {
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers = { host: 'localhost', ...request.headers, ...(body && { 'content-length': String(body.length) }), connection: 'close' };
  const head = `${request.method} ${request.url} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

const HEADER_BUDGET = 8_000;

export async function send(baseUrl: string, request: FuzzRequest): Promise<Outcome> {
  const base = new URL(baseUrl);
  if (request.raw !== undefined) return viaSocket(base, request.raw);
  const headerBytes = request.url.length + Object.entries(request.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  // The server closes the connection after refusing oversized headers: a socket of their own.
  if (headerBytes > HEADER_BUDGET) return viaSocket(base, asRaw(request));
  const outcome = await viaHttp(base, request, false);
  // A kept-alive socket the server had just closed: Node's documented case for one retry.
  if (outcome.error && outcome.reused) return viaHttp(base, request, true);
  return outcome;
}
