// One JSON line per request, written when its connection is done with it (answered, or left by a
// client that aborted: Fastify's onResponse misses those): the request id (pino's reqId), who
// asked, the route's pattern, the status and how long it took. The route pattern, not the URL: a
// query string can carry what a user typed (a search), which the logs must not hold. Fastify's
// own lines per request (with the URL) are turned off by requestLogController().
import { LogController, type FastifyInstance } from 'fastify';

/** For Fastify's logController option: none of its own per-request lines, which log the URL. */
export function requestLogController(): LogController {
  return new LogController({ disableRequestLogging: true });
}

export function registerRequestLog(app: FastifyInstance) {
  app.addHook('onRequest', async (request, reply) => {
    let finished = false;
    reply.raw.once('finish', () => (finished = true));
    reply.raw.once('close', () => {
      // request.user is set by the access-token or API-key guard (features/auth, features/keys).
      const userId = (request as { user?: { id?: string } }).user?.id ?? null;
      request.log.info(
        {
          userId,
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: reply.statusCode,
          durationMs: Math.round(reply.elapsedTime),
          ...(!finished && { aborted: true }),
        },
        'request',
      );
    });
  });
}
