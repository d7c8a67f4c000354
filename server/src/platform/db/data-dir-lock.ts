// PGlite is one process's database: a second process on the same data folder (the admin command
// while the server runs, a second server) would work on its own copy in memory, report success,
// and lose its changes or damage the files. Whoever opens the embedded database holds a lock file
// in its folder for as long as it has it open; another process is refused with a clear message.
// A lock left by a process that died is taken over (its pid no longer runs).
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'quota-chat.lock';

// The folders this process has locked: opening one twice in one process is refused as well.
const held = new Set<string>();

export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database in ${dir} is in use by process ${pid} (the server, most likely). PGlite serves one process at a time: ` +
        'stop the server and run this again, or run on PostgreSQL (DATABASE_URL), where admin commands work beside running servers.',
    );
    this.name = 'DataDirInUseError';
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock of an embedded database folder; the function returned gives it back. */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  if (held.has(path)) throw new DataDirInUseError(dir, process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const holder = holderOf(path);
      // Our own pid is a leftover too: a container's server is often pid 1 on every start.
      if (holder !== undefined && holder !== process.pid && running(holder)) throw new DataDirInUseError(dir, holder);
      rmSync(path, { force: true });
    }
  }
  held.add(path);
  return () => {
    held.delete(path);
    if (holderOf(path) === process.pid) rmSync(path, { force: true });
  };
}
