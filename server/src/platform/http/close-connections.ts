// app.close() ends the connections it would otherwise wait on for as long as the client keeps
// them: those that never carried a request (a browser's or an HTTP client's preconnect, a pool's
// spare), which Node's closeIdleConnections leaves open, and kept-alive ones whose last response
// ends after the close began, which Node checks only once. A client may keep either for the
// keep-alive timeout our responses announce (72 s). A response under way is left to end first.
// (Production's SIGTERM path, shutdown.ts, also cuts what is left after its grace period.)
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export function closeConnectionsOnClose(app: FastifyInstance): void {
  /** Each open connection, with how many of its responses are under way. */
  const open = new Map<Socket, number>();
  let closing = false;
  app.server.on('connection', (socket: Socket) => {
    open.set(socket, 0);
    socket.once('close', () => open.delete(socket));
  });
  app.server.on('request', (request: { socket: Socket }, response: ServerResponse) => {
    const { socket } = request;
    open.set(socket, (open.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const left = (open.get(socket) ?? 1) - 1;
      open.set(socket, left);
      // After what was written has gone out: the response's own end is not cut.
      if (closing && left === 0) socket.end();
    });
  });
  app.addHook('preClose', async () => {
    closing = true;
    for (const [socket, underWay] of open) if (underWay === 0) socket.destroy();
  });
}
