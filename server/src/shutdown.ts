// Graceful shutdown on SIGTERM (a deploy, a scale-down, `docker stop`): the process stops
// accepting connections at once, lets the responses under way (streaming replies above all) and
// the chat replies whose clients left run for SHUTDOWN_GRACE_SECONDS, then stops the model calls still open, each stored and metered as a
// user's stop is ('stopped', the text so far kept), waits for their responses to end, and closes.
// docs/decisions/012-graceful-shutdown.md
import type { Server, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';

/** How long the responses of stopped calls get to write their ending before connections are cut. */
const ENDING_MS = 10_000;

/** Counts the responses under way on a server; attach before it listens. */
export function trackOpenResponses(server: Server) {
  const open = new Set<ServerResponse>();
  const waiters: Array<() => void> = [];
  server.on('request', (_request, response: ServerResponse) => {
    open.add(response);
    response.once('close', () => {
      open.delete(response);
      if (open.size === 0) for (const wake of waiters.splice(0)) wake();
    });
  });
  return {
    count: () => open.size,
    /** Resolves once no response is under way. */
    idle: (): Promise<void> => (open.size === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
  };
}

export type OpenResponses = ReturnType<typeof trackOpenResponses>;

export async function shutDownGracefully(app: FastifyInstance, { graceMs, responses }: { graceMs: number; responses: OpenResponses }): Promise<void> {
  const graceOver = delay(graceMs, false, { ref: false });
  // Chat replies outlive their connections: they too get the grace period, though no response waits on them.
  const { chat } = app.services;
  chat.letRepliesRunUntil(graceOver);
  // No new connections from here on; a request on a kept-alive connection gets 503 (Fastify's
  // return503OnClosing), so a load balancer retries it elsewhere. Resolves once every response ended.
  const closed = app.close();
  app.log.info({ openResponses: responses.count(), modelCalls: app.services.modelCalls.running(), graceSeconds: graceMs / 1000 }, 'shutting down');

  const drained = await Promise.race([Promise.all([responses.idle(), chat.replies.settled()]).then(() => true), graceOver]);
  if (!drained) {
    const stopped = await app.services.modelCalls.stopAll();
    app.log.info({ stoppedModelCalls: stopped }, 'grace period over: open model calls stopped, stored and metered');
    await Promise.race([responses.idle(), delay(ENDING_MS, undefined, { ref: false })]);
  }
  // What is left are idle kept-alive connections (or a response that would not end): close them.
  app.server.closeAllConnections();
  await closed;
}
