import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Queryable } from '../../platform/db/db.js';
import { databaseSchemaVersion, latestMigrationVersion } from '../../platform/db/migrate.js';

const healthResponse = z.object({ status: z.enum(['ok', 'degraded']), version: z.string(), database: z.enum(['ok', 'error']) });
const readyResponse = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.enum(['ok', 'error']),
  /** The schema version the database is at, and the one this code needs (null when the database did not answer). */
  migrations: z.object({ current: z.number().int().nullable(), expected: z.number().int() }),
});

/** Settles within timeoutMs whatever the database does (undefined then), so a probe never hangs. */
async function withinTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Answers within timeoutMs whatever the database does, so a load balancer's probe never hangs. */
export async function pingDatabase(db: Queryable, timeoutMs: number): Promise<boolean> {
  return (
    (await withinTimeout(
      db.query('SELECT 1').then(() => true),
      timeoutMs,
    )) ?? false
  );
}

export const healthRoutes: FastifyPluginAsyncZod<{ db: Queryable; version: string; timeoutMs?: number }> = async (app, opts) => {
  const timeoutMs = opts.timeoutMs ?? 2000;
  for (const url of ['/health', '/api/health']) {
    app.get(url, {
      schema: { tags: ['health'], summary: 'Liveness and database reachability', response: { 200: healthResponse, 503: healthResponse } },
      handler: async (_request, reply) => {
        const ok = await pingDatabase(opts.db, timeoutMs);
        return reply
          .code(ok ? 200 : 503)
          .header('cache-control', 'no-store')
          .send({ status: ok ? 'ok' : 'degraded', version: opts.version, database: ok ? 'ok' : 'error' });
      },
    });
  }

  // Readiness, for a load balancer or an orchestrator: send traffic only to a process whose
  // database answers and has this code's schema. A database behind (not migrated yet) or ahead (a
  // newer release migrated it during a rolling update) would fail queries, so either is 503. While
  // the process shuts down, Fastify answers 503 before this handler runs (return503OnClosing).
  const expected = latestMigrationVersion();
  app.get('/ready', {
    schema: {
      tags: ['health'],
      summary: 'Readiness: the database answers and its migrations are current (503 otherwise)',
      response: { 200: readyResponse, 503: readyResponse },
    },
    handler: async (_request, reply) => {
      const current = await withinTimeout(databaseSchemaVersion(opts.db), timeoutMs);
      const ready = current === expected;
      return reply
        .code(ready ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({ status: ready ? 'ready' : 'not_ready', database: current === undefined ? 'error' : 'ok', migrations: { current: current ?? null, expected } });
    },
  });
};
