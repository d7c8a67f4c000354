// A PostgreSQL server of the test's own (initdb in a temp dir, a free port), for tests that stop
// or restart the server: the shared one (pg_virtualenv) serves every other test file at once.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function pgBin(): string | undefined {
  for (const v of [process.env.PGVERSION, '17', '16', '15'].filter(Boolean)) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

export function privatePostgresAvailable(): boolean {
  return pgBin() !== undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface PrivatePostgres {
  url: string;
  restart(): void;
  stop(): void;
  remove(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = pgBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'qc-pg-'));
  chmodSync(dir, 0o777);
  // initdb refuses to run as root; run the server as the postgres user then.
  const asPg = (cmd: string, args: string[]) =>
    process.getuid?.() === 0
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  const data = join(dir, 'data');
  asPg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const ctl = (args: string[]) => asPg('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', opts, ...args]);
  ctl(['start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => ctl(['-m', 'fast', 'restart']),
    stop: () => {
      try {
        ctl(['-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
