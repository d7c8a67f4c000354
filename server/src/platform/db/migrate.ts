// Versioned SQL migrations (server/migrations/NNN.do.name.sql with NNN.undo.name.sql), run by
// Postgrator on our own connection. A session-level advisory lock makes several processes that
// start together on one PostgreSQL take turns: the first migrates, the others then find nothing to do.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Postgrator from 'postgrator';
import type { Connection, Db, Queryable } from './db.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));
const MIGRATIONS_GLOB = `${MIGRATIONS_DIR}*.sql`;
// Any constant; it only has to differ from other advisory locks this database sees.
const MIGRATION_LOCK_KEY = 7_240_311_001;

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
}

async function withMigrator<T>(db: Db, fn: (p: Postgrator, conn: Connection) => Promise<T>): Promise<T> {
  return db.withConnection(async (conn) => {
    await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const { rows } = await conn.query<{ db: string }>('SELECT current_database() AS db');
      const postgrator = new Postgrator({
        migrationPattern: MIGRATIONS_GLOB,
        driver: 'pg',
        database: rows[0]!.db,
        schemaTable: 'schema_migrations',
        execQuery: (sql: string) => conn.exec(sql),
        // A multi-statement script runs as one implicit transaction: a migration applies whole or not at all.
        execSqlScript: async (sql: string) => {
          await conn.exec(sql);
        },
      });
      return await fn(postgrator, conn);
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}

async function moveTo(db: Db, target: (p: Postgrator) => Promise<string>): Promise<MigrationResult> {
  return withMigrator(db, async (p) => {
    const from = await p.getDatabaseVersion().catch(() => 0);
    const applied = await p.migrate(await target(p));
    const to = await p.getDatabaseVersion();
    return { from: from ?? 0, to, applied: applied.map((m) => `${m.version}.${m.action}.${m.name}`) };
  });
}

export function migrateUp(db: Db, target = 'max'): Promise<MigrationResult> {
  return moveTo(db, async () => target);
}

/** Undoes the latest migration, or down to `target` when given ("0" undoes them all). */
export function migrateDown(db: Db, target?: number): Promise<MigrationResult> {
  return moveTo(db, async (p) => {
    const current = (await p.getDatabaseVersion().catch(() => 0)) ?? 0;
    return String(target ?? Math.max(0, current - 1));
  });
}

/** The version this code's migrations lead to: the highest NNN of server/migrations/NNN.do.*.sql. */
export function latestMigrationVersion(): number {
  const versions = readdirSync(MIGRATIONS_DIR).flatMap((file) => {
    const match = /^(\d+)\.do\./.exec(file);
    return match ? [Number(match[1])] : [];
  });
  return Math.max(0, ...versions);
}

/** The version the database has been migrated to, as Postgrator records it (0 before any). */
export async function databaseSchemaVersion(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ version: number | null }>('SELECT max(version)::int AS version FROM schema_migrations');
  return rows[0]?.version ?? 0;
}
