// WORKERS=N runs N whole servers on one port and one PostgreSQL, replaces one that dies, and stops
// them all on SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../test/databases.js';
import { startServer, stopAllProcesses, tempDir, type ServerProcess } from '../test/spawn-server.js';
import { waitFor } from './features/chat/chat.test-support.js';

const kinds = testDbKinds().filter((k) => k === 'postgres');

describe.each(kinds)('WORKERS=2 on %s', (kind) => {
  let database: TestDatabase;
  let server: ServerProcess;
  const dir = tempDir();
  const listening = () =>
    new Set(
      server
        .logs()
        .filter((l) => typeof l.msg === 'string' && l.msg.startsWith('Server listening at '))
        .map((l) => l.pid as number),
    );

  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
    server = await startServer({
      env: { DATABASE_URL: database.url!, DATA_DIR: dir.path, WORKERS: '2', JWT_SECRET: 'a-shared-secret-for-every-worker-process!!' },
      cwd: dir.path,
    });
  }, 120_000);

  afterAll(async () => {
    await stopAllProcesses();
    await database?.drop();
    dir.remove();
  });

  it('serves from two processes on one port, replaces one that dies, and stops all on SIGTERM', async () => {
    const pids = await waitFor(async () => (listening().size >= 2 ? listening() : undefined), 60_000);
    expect(pids.size).toBe(2);
    for (let i = 0; i < 6; i++) expect((await fetch(`${server.url}/health`)).status).toBe(200);

    const [victim] = [...pids];
    process.kill(victim!, 'SIGKILL');
    const after = await waitFor(async () => (listening().size >= 3 ? listening() : undefined), 60_000);
    expect(after.size).toBe(3);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);

    const out = await server.stop();
    expect(out.code).toBe(0);
  }, 150_000);
});
