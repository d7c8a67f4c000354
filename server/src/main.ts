// Start-up: load config, open the database, migrate under a lock, build the app, listen.
import 'dotenv/config';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { migrateUp } from './db/migrate.js';
import { openDatabase } from './db/open.js';
import { resolveJwtSecret } from './jwt-secret.js';

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
  const db = await openDatabase(config);
  const migrated = await migrateUp(db);
  const app = await buildApp(config, { db, jwtSecret: resolveJwtSecret(config), startReaper: true });
  app.log.info(
    { database: db.kind, migrations: migrated.applied, schemaVersion: migrated.to, rateLimitCounters: config.redisUrl ? 'redis' : db.kind },
    db.kind === 'pglite' ? `embedded database in ${config.dataDir}/pgdata` : 'PostgreSQL database',
  );

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
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
