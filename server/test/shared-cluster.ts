// Three real server processes on one PostgreSQL database, started together (the migration lock
// lets one migrate while the others wait): the setting of the multi-process proofs of the hard cap.
import { createTestDatabase, type DbKind, type TestDatabase } from './databases.js';
import { startServer, stopAllProcesses, tempDir, type ServerProcess } from './spawn-server.js';

export interface SharedCluster {
  database: TestDatabase;
  servers: ServerProcess[];
  close(): Promise<void>;
}

/** `env` adds to (or overrides) what every proof needs: the shared secret, a fast demo model, no per-minute limits in the way. */
export async function startSharedCluster(kind: DbKind, env: Record<string, string> = {}): Promise<SharedCluster> {
  const database = await createTestDatabase(kind, { migrate: false });
  const dir = tempDir();
  const all = {
    DATABASE_URL: database.url!,
    DATA_DIR: dir.path,
    JWT_SECRET: 'a-shared-secret-for-all-three-processes!!',
    DEMO_TOKEN_DELAY_MS: '2',
    TIER_FREE_REQUESTS_PER_MINUTE: '100000',
    AUTH_RATE_LIMIT_PER_IP: '1000',
    DATABASE_POOL_SIZE: '10',
    ...env,
  };
  const servers = await Promise.all([1, 2, 3].map(() => startServer({ env: all, cwd: dir.path })));
  return {
    database,
    servers,
    async close() {
      await stopAllProcesses();
      await database.drop();
      dir.remove();
    },
  };
}
