// npm run admin: promotes and demotes accounts by email (any case, as sign-up normalises it), lists
// the admins, and audits each change as the CLI's, on the embedded database and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../test/databases.js';
import { runNpmScript, stopAllProcesses, tempDir } from '../../test/spawn-server.js';
import { buildTestApp, createUser, uniqueEmail } from '../../test/test-app.js';
import { migrateUp } from '../platform/db/migrate.js';
import { openDatabase } from '../platform/db/open.js';

describe.each(testDbKinds())('npm run admin on %s', (kind) => {
  let dir: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  let postgres: TestDatabase | undefined;
  const email = uniqueEmail('operator');

  // PGlite serves one process: each step opens the embedded database, and closes it for the CLI.
  async function withDatabase<T>(fn: (database: TestDatabase) => Promise<T>): Promise<T> {
    if (postgres) return fn(postgres);
    const db = await openDatabase({ databaseUrl: undefined, dataDir: dir.path, databasePoolSize: 1, databasePoolTimeoutMs: 5000 });
    try {
      return await fn({ kind, db, drop: () => db.close() });
    } finally {
      await db.close();
    }
  }
  const roleOf = () => withDatabase(async ({ db }) => (await db.query<{ role: string }>('SELECT role FROM users WHERE email = $1', [email])).rows[0]?.role);
  const admin = (...args: string[]) => runNpmScript('admin', args, env);

  beforeAll(async () => {
    dir = tempDir('qc-admin-cli-');
    if (kind === 'postgres') postgres = await createTestDatabase(kind);
    env = postgres ? { DATABASE_URL: postgres.url!, DATA_DIR: dir.path } : { DATA_DIR: dir.path };
    await withDatabase(async (database) => {
      await migrateUp(database.db);
      const t = await buildTestApp(kind, { database });
      try {
        await createUser(t.app, { email });
      } finally {
        await t.close();
      }
    });
  });
  afterAll(async () => {
    await stopAllProcesses();
    await postgres?.drop();
    dir.remove();
  });

  it('promotes an account by its email, in any case, and audits it as the CLI', async () => {
    const out = await admin('promote', `  ${email.toUpperCase()} `);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`${email} is now an admin`);
    expect(await roleOf()).toBe('admin');
    const audit = await withDatabase(async ({ db }) => (await db.query('SELECT actor_id, actor_email, action, before, after FROM admin_audit_log')).rows);
    expect(audit).toEqual([{ actor_id: null, actor_email: 'cli', action: 'user.promote', before: { role: 'user' }, after: { role: 'admin' } }]);
  });

  it('lists the admins', async () => {
    const out = await admin('list');
    expect(out.code).toBe(0);
    expect(out.stdout.trim().split('\n')).toEqual([email]);
  });

  it('demotes an admin', async () => {
    const out = await admin('demote', email);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`${email} is now a regular user`);
    expect(await roleOf()).toBe('user');
  });

  it('answers 1 for an email without an account, and 2 for a wrong command', async () => {
    const missing = await admin('promote', 'Nobody@Example.com');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no account with email nobody@example.com; sign up first');
    expect((await admin('frobnicate')).code).toBe(2);
  });
});
