import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamHttpError, UpstreamUnreachableError } from '../upstream-errors.js';
import { postJson, readJson } from './http-client.js';

describe('postJson', () => {
  let server: Server;
  let url: URL;
  const served = new Map<Socket, number>();
  let requests = 0;

  beforeAll(async () => {
    // Answers the first request on each connection and keeps it open; a second request on the
    // same connection finds it closed, as when a provider drops an idle connection at that moment.
    server = createServer((req, res) => {
      requests += 1;
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      if (n > 1) return req.socket.destroy();
      if (req.url === '/refuse') {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end('{"error":{"message":"bad key sk-secret"}}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: n }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/answer`);
  });
  afterAll(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));

  const call = async (to = url) => {
    const signal = new AbortController().signal;
    return readJson<{ ok: number }>(await postJson(to, {}, '{}', signal), signal);
  };

  it('sends a request again on a new connection when the kept-alive one it reused was closed', async () => {
    expect(await call()).toEqual({ ok: 1 });
    const before = requests;
    expect(await call()).toEqual({ ok: 1 });
    expect(requests - before).toBe(2); // the stale attempt, then the one that was answered
  });

  it('does not retry an HTTP error, and keeps the error body to itself', async () => {
    const err = await call(new URL('/refuse', url)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamHttpError);
    expect(err).toMatchObject({ status: 401 });
    expect(JSON.stringify(err)).not.toContain('sk-secret');
  });

  it('reports a server that cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(call(new URL(`http://127.0.0.1:${port}/`))).rejects.toBeInstanceOf(UpstreamUnreachableError);
  });
});
