import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { REPO_ROOT, runNpmScript, startServer, stopAllProcesses, tempDir, type ServerProcess } from '../../../test/spawn-server.js';
import type { Db } from './db.js';
import { migrateDown, migrateUp } from './migrate.js';
import { openPostgres } from './postgres.js';

// What is on disk decides what "latest" means, so these tests keep passing as migrations are added.
const MIGRATIONS = readdirSync(join(REPO_ROOT, 'server/migrations'))
  .flatMap((file) => {
    const match = /^(\d+)\.do\.(.+)\.sql$/.exec(file);
    return match ? [{ version: Number(match[1]), name: match[2]! }] : [];
  })
  .sort((a, b) => a.version - b.version);
const VERSIONS = MIGRATIONS.map((m) => m.version);
const LATEST = VERSIONS.at(-1)!;
const APPLIED_UP = MIGRATIONS.map((m) => `${m.version}.do.${m.name}`);

/** The reference's tables, which issue 2 creates. */
const ACCOUNT_TABLES = ['monthly_usage', 'refresh_tokens', 'usage_records', 'users'];

async function publicTables(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
  return rows.map((r) => r.name);
}

/** Anything else a migration could leave behind: sequences, views, functions, enum and domain types. */
async function leftovers(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('S', 'v', 'm') AND c.relname NOT LIKE 'schema_migrations%'
     UNION ALL
     SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
     UNION ALL
     SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')`,
  );
  return rows.map((r) => r.name);
}

/** The versions Postgrator records as applied (it keeps a baseline row for version 0 as well). */
async function recordedVersions(db: Db): Promise<number[]> {
  const { rows } = await db.query<{ version: string | number }>('SELECT version FROM schema_migrations WHERE version > 0 ORDER BY version');
  return rows.map((r) => Number(r.version));
}

it('finds the migrations on disk, each with its undo file', () => {
  const files = readdirSync(join(REPO_ROOT, 'server/migrations'));
  expect(MIGRATIONS.length).toBeGreaterThan(0);
  for (const m of MIGRATIONS) expect(files).toContain(`${String(m.version).padStart(3, '0')}.undo.${m.name}.sql`);
});

describe.each(testDbKinds())('migrations on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
  });
  afterAll(() => database.drop());

  it('migrates an empty database up to the latest version', async () => {
    expect(await publicTables(database.db)).toEqual([]);
    const result = await migrateUp(database.db);
    expect(result).toEqual({ from: 0, to: LATEST, applied: APPLIED_UP });
    expect(await publicTables(database.db)).toEqual(expect.arrayContaining([...ACCOUNT_TABLES, 'schema_migrations']));
    expect(await recordedVersions(database.db)).toEqual(VERSIONS);
  });

  it('does nothing when already at the latest version', async () => {
    expect(await migrateUp(database.db)).toEqual({ from: LATEST, to: LATEST, applied: [] });
  });

  it('rolls back one migration at a time, newest first', async () => {
    const result = await migrateDown(database.db);
    expect(result.from).toBe(LATEST);
    expect(result.to).toBe(VERSIONS.at(-2) ?? 0);
    expect(result.applied).toEqual([`${LATEST}.undo.${MIGRATIONS.at(-1)!.name}`]);
    expect(await recordedVersions(database.db)).toEqual(VERSIONS.slice(0, -1));
    await migrateUp(database.db);
  });

  it('migrates down to zero, leaving no table but the version table', async () => {
    const result = await migrateDown(database.db, 0);
    expect(result.from).toBe(LATEST);
    expect(result.to).toBe(0);
    expect(result.applied).toEqual(MIGRATIONS.map((m) => `${m.version}.undo.${m.name}`).reverse());
    expect(await publicTables(database.db)).toEqual(['schema_migrations']);
    expect(await leftovers(database.db)).toEqual([]);
    expect(await recordedVersions(database.db)).toEqual([]);
  });

  it('does nothing when rolling back at zero', async () => {
    expect(await migrateDown(database.db)).toEqual({ from: 0, to: 0, applied: [] });
  });

  it('migrates up again after a full rollback, to a working schema', async () => {
    expect(await migrateUp(database.db)).toEqual({ from: 0, to: LATEST, applied: APPLIED_UP });
    const { rows } = await database.db.query<{ tier: string }>("INSERT INTO users (email, password_hash) VALUES ('again@example.com', 'x') RETURNING tier");
    expect(rows[0]!.tier).toBe('free');
  });

  it('walks every version down and back up, one step at a time', async () => {
    for (const version of [...VERSIONS].reverse()) {
      const result = await migrateDown(database.db);
      expect(result.from).toBe(version);
    }
    expect(await publicTables(database.db)).toEqual(['schema_migrations']);
    for (const version of VERSIONS) {
      expect((await migrateUp(database.db, String(version))).to).toBe(version);
    }
    expect(await recordedVersions(database.db)).toEqual(VERSIONS);
  });
});

// Several processes, and the CLI, need a database other processes can reach: PostgreSQL.
const postgresOnly = postgresAvailable() ? (['postgres'] as const) : [];

describe.each(postgresOnly)('migrating one %s database from several connections at once', (kind) => {
  let database: TestDatabase;
  const pools: Db[] = [];
  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
    for (let i = 0; i < 4; i++) pools.push(await openPostgres(database.url!, { size: 2, timeoutMs: 5000 }));
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await database.drop();
  });

  it('applies each migration exactly once: one caller migrates, the others find nothing to do', async () => {
    const results = await Promise.all(pools.map((p) => migrateUp(p)));
    const migrated = results.filter((r) => r.applied.length > 0);
    expect(migrated).toEqual([{ from: 0, to: LATEST, applied: APPLIED_UP }]);
    for (const r of results) expect(r.to).toBe(LATEST);
    expect(await recordedVersions(database.db)).toEqual(VERSIONS);
  });
});

describe.each(postgresOnly)('npm run db:migrate and db:rollback against %s', (kind) => {
  let database: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
    env = { DATABASE_URL: database.url!, LOG_LEVEL: 'silent' };
  });
  afterAll(async () => {
    await stopAllProcesses();
    await database.drop();
  });

  it('db:migrate applies every migration and prints the versions', async () => {
    const out = await runNpmScript('db:migrate', [], env);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`schema version 0 -> ${LATEST} (${APPLIED_UP.join(', ')})`);
    expect(await publicTables(database.db)).toEqual(expect.arrayContaining(ACCOUNT_TABLES));
  });

  it('db:migrate again says there is nothing to do', async () => {
    const out = await runNpmScript('db:migrate', [], env);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`schema version ${LATEST} -> ${LATEST} (nothing to do)`);
  });

  it('db:rollback undoes the latest migration', async () => {
    const out = await runNpmScript('db:rollback', [], env);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`schema version ${LATEST} -> ${VERSIONS.at(-2) ?? 0} (${LATEST}.undo.${MIGRATIONS.at(-1)!.name})`);
    expect(await recordedVersions(database.db)).toEqual(VERSIONS.slice(0, -1));
  });

  it('db:rollback -- 0 undoes everything', async () => {
    const out = await runNpmScript('db:rollback', ['0'], env);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`schema version ${VERSIONS.at(-2) ?? 0} -> 0`));
    expect(await publicTables(database.db)).toEqual(['schema_migrations']);
  });

  it('db:migrate brings it back to the latest version', async () => {
    const out = await runNpmScript('db:migrate', [], env);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`schema version 0 -> ${LATEST}`);
    expect(await recordedVersions(database.db)).toEqual(VERSIONS);
  });

  it('refuses a version that is not a number', async () => {
    const out = await runNpmScript('db:rollback', ['latest'], env);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('version must be a whole number, got "latest"');
  });

  it('stops with the configuration message for a bad DATABASE_URL', async () => {
    const out = await runNpmScript('db:migrate', [], { DATABASE_URL: 'mysql://db/qc' });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/DATABASE_URL: must start with postgres:\/\//);
    expect(out.stderr).not.toMatch(/^\s+at /m);
  });
});

describe.each(postgresOnly)('three servers starting together on one fresh %s database', (kind) => {
  let database: TestDatabase;
  let dir: ReturnType<typeof tempDir>;
  let servers: ServerProcess[];
  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
    dir = tempDir('qc-multi-');
    const env = { DATABASE_URL: database.url!, JWT_SECRET: 'a-shared-secret-of-at-least-32-bytes!!', DATA_DIR: join(dir.path, 'data') };
    servers = await Promise.all([1, 2, 3].map(() => startServer({ env, cwd: dir.path, timeoutMs: 90_000 })));
  }, 120_000);
  afterAll(async () => {
    await stopAllProcesses();
    await database.drop();
    dir.remove();
  });

  it('all start, on their own ports, and answer /health ok', async () => {
    expect(new Set(servers.map((s) => s.port)).size).toBe(3);
    for (const server of servers) {
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok' });
    }
  });

  it('use the PostgreSQL database, and migrate its schema exactly once', async () => {
    const startups = servers.map((s) => s.logs().find((l) => 'migrations' in l)!);
    for (const line of startups) expect(line).toMatchObject({ database: 'postgres', schemaVersion: LATEST });
    const applied = startups.map((l) => l.migrations as string[]);
    expect(applied.filter((a) => a.length > 0)).toEqual([APPLIED_UP]);
    expect(await recordedVersions(database.db)).toEqual(VERSIONS);
  });

  it('share one database: an account made through one server logs in through another', async () => {
    const credentials = { email: 'shared@example.com', password: 'one database for all' };
    const post = (server: ServerProcess, path: string) =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
    expect((await post(servers[0]!, '/api/auth/register')).status).toBe(201);
    expect((await post(servers[2]!, '/api/auth/login')).status).toBe(200);
  });

  it('each stop cleanly on SIGTERM', async () => {
    for (const server of servers) expect(await server.stop()).toMatchObject({ code: 0 });
  });
});
