// A PostgreSQL server of the test's own (initdb in a temp dir, a free port), for tests that stop
// or restart the server: the shared one (pg_virtualenv) serves every other test file at once.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

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
  /** `pg_ctl restart`: fast by default (sessions ended cleanly); immediate is a crash, recovered from the WAL. */
  restart(options?: { immediate?: boolean }): void;
  /** The same without blocking this process meanwhile (its HTTP clients and fake upstream keep running). */
  restartInBackground(options?: { immediate?: boolean }): Promise<void>;
  stop(): void;
  remove(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = pgBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'qc-pg-'));
  chmodSync(dir, 0o777);
  // initdb refuses to run as root; run the server as the postgres user then.
  const command = (cmd: string, args: string[]): [string, string[]] =>
    process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
  const asPg = (cmd: string, args: string[]) => execFileSync(...command(cmd, args), { stdio: 'pipe' });
  const data = join(dir, 'data');
  asPg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const ctlArgs = (args: string[]) => ['-D', data, '-l', join(dir, 'log'), '-w', '-o', opts, ...args];
  const ctl = (args: string[]) => asPg('pg_ctl', ctlArgs(args));
  const mode = (immediate: boolean) => ['-m', immediate ? 'immediate' : 'fast', 'restart'];
  ctl(['start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: ({ immediate = false } = {}) => ctl(mode(immediate)),
    restartInBackground: async ({ immediate = false } = {}) => {
      await promisify(execFile)(...command('pg_ctl', ctlArgs(mode(immediate))));
    },
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
