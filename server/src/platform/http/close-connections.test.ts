// app.close() returns without waiting on the client: it closes a connection that never sent a
// request, and one whose response ends after the close began, once that response has ended.
import net from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { closeConnectionsOnClose } from './close-connections.js';

async function serve(slowMs = 0) {
  const app = Fastify();
  closeConnectionsOnClose(app);
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, slowMs));
    return 'done';
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as net.AddressInfo).port };
}

const connect = (port: number) =>
  new Promise<net.Socket>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
  });
const closedByServer = (socket: net.Socket) => new Promise<void>((resolve) => socket.once('end', () => resolve()));

// Without the hook, the first and the last close() wait for the client to hang up, and time out;
// the second is Node's own behaviour, kept so that the hook cannot break it.
describe('closing the app with connections open', () => {
  it('closes a connection that never sent a request', async () => {
    const { app, port } = await serve();
    const socket = await connect(port);
    const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await app.close();
    await gone;
  });

  it('closes a kept-alive connection once its last response has ended', async () => {
    const { app, port } = await serve();
    const socket = await connect(port);
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.write('GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answer.endsWith('done')).toBe(true);
    const ended = closedByServer(socket);
    await app.close();
    await ended;
  });

  it('lets a response under way end, then closes its connection', async () => {
    const { app, port } = await serve(300);
    const socket = await connect(port);
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    const ended = closedByServer(socket);
    socket.write('GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await app.close();
    await ended;
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.endsWith('done')).toBe(true);
  });
});
