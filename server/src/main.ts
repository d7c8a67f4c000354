// Start-up: load config, open the database, migrate under a lock, build the app, listen. With
// WORKERS=N this process forks N such servers instead (workers.ts).
import cluster from 'node:cluster';
import 'dotenv/config';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { migrateUp } from './platform/db/migrate.js';
import { openDatabase } from './platform/db/open.js';
import { shutDownGracefully, trackOpenResponses } from './shutdown.js';
import { runWorkers } from './workers.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  if (config.workers > 1 && cluster.isPrimary) {
    // Every worker reads the same JWT_SECRET; one generated into DATA_DIR is made here, once.
    resolveJwtSecret(config);
    const log = (msg: string, fields: Record<string, unknown> = {}) =>
      console.log(JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, msg, ...fields }));
    log(`starting ${config.workers} workers`);
    await runWorkers({ count: config.workers, log });
    process.exit();
  }
  // The pool opens before the app and its log exist: its errors go to stderr until then.
  let log: FastifyBaseLogger | null = null;
  const db = await openDatabase(config, {
    onError: (err) => (log ? log.error({ err }, 'database pool: an idle connection failed') : console.error(`database pool: ${err.message}`)),
  });
  const migrated = await migrateUp(db);
  const app = await buildApp(config, { db, jwtSecret: resolveJwtSecret(config), startReaper: true });
  log = app.log;
  app.log.info(
    { database: db.kind, migrations: migrated.applied, schemaVersion: migrated.to, rateLimitCounters: config.redisUrl ? 'redis' : db.kind },
    db.kind === 'pglite' ? `embedded database in ${config.dataDir}/pgdata` : 'PostgreSQL database',
  );

  const responses = trackOpenResponses(app.server);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'stop signal received');
    await shutDownGracefully(app, { graceMs: config.shutdownGraceSeconds * 1000, responses });
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
}

main().catch((err) => {
  console.error('Failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
