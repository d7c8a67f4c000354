// The same suites run on PGlite (always) and on a real PostgreSQL when one is reachable
// (PGHOST/PGUSER/... as pg_virtualenv sets them, or TEST_DATABASE_URL). Each test file gets a
// fresh database of its own, migrated to the latest version.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../src/platform/db/db.js';
import { migrateUp } from '../src/platform/db/migrate.js';
import { openPglite } from '../src/platform/db/pglite.js';
import { openPostgres } from '../src/platform/db/postgres.js';

export type DbKind = 'pglite' | 'postgres';

export function postgresAvailable(): boolean {
  return Boolean(process.env.TEST_DATABASE_URL || process.env.PGHOST);
}

export function testDbKinds(): DbKind[] {
  if (postgresAvailable()) return ['pglite', 'postgres'];
  if (process.env.CI) throw new Error('CI must run the PostgreSQL suites: set PGHOST (pg_virtualenv) or TEST_DATABASE_URL');
  return ['pglite'];
}

function adminUrl(database?: string): string {
  const base = process.env.TEST_DATABASE_URL;
  if (base) {
    const url = new URL(base);
    if (database) url.pathname = `/${database}`;
    return url.toString();
  }
  const user = encodeURIComponent(process.env.PGUSER ?? 'postgres');
  const pass = process.env.PGPASSWORD ? `:${encodeURIComponent(process.env.PGPASSWORD)}` : '';
  const host = process.env.PGHOST ?? 'localhost';
  const port = process.env.PGPORT ?? '5432';
  return `postgres://${user}${pass}@${host}:${port}/${database ?? process.env.PGDATABASE ?? 'postgres'}`;
}

export interface TestDatabase {
  kind: DbKind;
  db: Db;
  /** A connection string other processes can use (postgres only). */
  url?: string;
  drop(): Promise<void>;
}

/** A fresh, empty database; migrated unless migrate is false. */
export async function createTestDatabase(kind: DbKind, { migrate = true } = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await openPglite();
    if (migrate) await migrateUp(db);
    return { kind, db, drop: () => db.close() };
  }
  const name = `qc_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = adminUrl(name);
  const db = await openPostgres(url, { size: 20, timeoutMs: 5000 });
  if (migrate) await migrateUp(db);
  return {
    kind,
    db,
    url,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
