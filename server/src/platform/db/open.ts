import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config.js';
import { lockDataDir } from './data-dir-lock.js';
import type { Db } from './db.js';
import { openPglite } from './pglite.js';
import { openPostgres, type PoolEvents } from './postgres.js';

/**
 * PostgreSQL when DATABASE_URL is set, otherwise PGlite kept under DATA_DIR/pgdata, locked for
 * this process until it closes the database (data-dir-lock.ts).
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databasePoolSize' | 'databasePoolTimeoutMs'>,
  events: PoolEvents = {},
): Promise<Db> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, { size: config.databasePoolSize, timeoutMs: config.databasePoolTimeoutMs }, events);
  const dir = join(config.dataDir, 'pgdata');
  mkdirSync(dir, { recursive: true });
  const unlock = lockDataDir(dir);
  try {
    const db = await openPglite(dir);
    return {
      ...db,
      async close() {
        try {
          await db.close();
        } finally {
          unlock();
        }
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}
