// The lock file that keeps a second process off an embedded database folder (the server's, while
// `npm run admin` or another server tries to open it). full-run.test.ts runs the real pair.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/spawn-server.js';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from './data-dir-lock.js';

describe('lockDataDir', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('qc-lock-');
  });
  afterEach(() => dir.remove());
  const lockPath = () => join(dir.path, LOCK_FILE);

  it('writes our pid, refuses a second holder in this process, and removes the file when given back', () => {
    const unlock = lockDataDir(dir.path);
    expect(readFileSync(lockPath(), 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockDataDir(dir.path)).toThrow(DataDirInUseError);
    unlock();
    expect(existsSync(lockPath())).toBe(false);
    lockDataDir(dir.path)();
  });

  it('refuses a folder that another running process holds, naming it and saying what to do', () => {
    // Our parent (the test runner) runs, and is not us.
    writeFileSync(lockPath(), `${process.ppid}\n`);
    expect(() => lockDataDir(dir.path)).toThrow(`is in use by process ${process.ppid}`);
    expect(() => lockDataDir(dir.path)).toThrow('stop the server and run this again');
    expect(readFileSync(lockPath(), 'utf8').trim()).toBe(String(process.ppid));
  });

  it('takes over a lock left by a process that died', () => {
    // Pids are at most 2^22 on Linux: this one cannot run.
    writeFileSync(lockPath(), '99999999\n');
    const unlock = lockDataDir(dir.path);
    expect(readFileSync(lockPath(), 'utf8').trim()).toBe(String(process.pid));
    unlock();
  });
});
