import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Queryable } from '../../platform/db/db.js';

const healthResponse = z.object({ status: z.enum(['ok', 'degraded']), version: z.string(), database: z.enum(['ok', 'error']) });

/** Answers within timeoutMs whatever the database does, so a load balancer's probe never hangs. */
export async function pingDatabase(db: Queryable, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      db.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncZod<{ db: Queryable; version: string; timeoutMs?: number }> = async (app, opts) => {
  for (const url of ['/health', '/api/health']) {
    app.get(url, {
      schema: { tags: ['health'], summary: 'Liveness and database reachability', response: { 200: healthResponse, 503: healthResponse } },
      handler: async (_request, reply) => {
        const ok = await pingDatabase(opts.db, opts.timeoutMs ?? 2000);
        return reply
          .code(ok ? 200 : 503)
          .header('cache-control', 'no-store')
          .send({ status: ok ? 'ok' : 'degraded', version: opts.version, database: ok ? 'ok' : 'error' });
      },
    });
  }
};
