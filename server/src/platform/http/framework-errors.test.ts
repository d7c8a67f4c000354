// Refusals before any route runs, over real HTTP: Node's parser (oversized headers, a NUL in a
// header, a body without a length) and Fastify's (a URL that cannot be decoded) answer in the
// path's shape: problem+json, or OpenAI's error object under /v1. They used to be Fastify's JSON.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { buildTestApp, listen, type TestApp } from '../../../test/test-app.js';

/** Writes a request as is and reads the whole answer (the server closes the connection). */
function rawExchange(baseUrl: string, request: string): Promise<{ status: number; head: string; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = net.connect(Number(port), hostname, () => socket.write(Buffer.from(request, 'latin1')));
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => socket.end());
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), head, body });
    });
  });
}

describe.each(testDbKinds())('refusals before routing on %s', (kind) => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    baseUrl = await listen(t.app);
  });
  afterAll(() => t.close());

  it('answers headers over 16 KB with 431 problem+json on /api', async () => {
    const res = await fetch(`${baseUrl}/api/auth/me`, { headers: { 'x-big': 'a'.repeat(20_000) } });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE', type: 'https://quota-chat.dev/problems/headers-too-large' });
  });

  it("answers headers over 16 KB with 431 in OpenAI's shape on /v1, also for an absolute-form target", async () => {
    for (const target of ['/v1/models', 'http://elsewhere.example/v1/models']) {
      const res = await rawExchange(baseUrl, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(res.status).toBe(431);
      expect(res.head).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(res.body)).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: 'headers_too_large' } });
    }
  });

  it.each([
    ['a NUL in a header value', 'GET /api/tiers HTTP/1.1\r\nHost: localhost\r\nX-A: a\u0000b\r\n\r\n'],
    ['a body without a length after a GET', 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n {}'],
    ['two different Content-Lengths', 'POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}'],
  ])('answers %s with 400 INVALID_HTTP problem+json', async (_what, request) => {
    const res = await rawExchange(baseUrl, request);
    expect(res.status).toBe(400);
    expect(res.head).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: 'INVALID_HTTP', title: 'The request is not valid HTTP' });
  });

  it("answers a URL that cannot be decoded in the path's shape", async () => {
    const api = await fetch(`${baseUrl}/api/%E0%A4%A`);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await api.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const v1 = await fetch(`${baseUrl}/v1/%E0%A4%A`);
    expect(v1.status).toBe(404);
    expect(await v1.json()).toMatchObject({ error: { code: 'unknown_url' } });
  });

  it("answers a verb the /v1 scope has no route for in OpenAI's shape, with Allow", async () => {
    const res = await fetch(`${baseUrl}/v1/models`, { method: 'OPTIONS' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'method_not_allowed' } });
  });

  it('still answers the next request on a new connection', async () => {
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
  });
});
