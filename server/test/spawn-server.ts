// Starts the real server (`node --import tsx server/src/main.ts`) or a CLI script as a child process, the way an
// operator runs it: the tests that need a real start-up (config errors, restarts, several processes
// on one database) use these. Every child is tracked, so afterAll can always stop them with
// stopAllProcesses(), even when a test failed half-way.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN_TS = join(REPO_ROOT, 'server/src/main.ts');
/**
 * The server runs as production runs it (Dockerfile, npm start): `node --import tsx main.ts`, one
 * process. Not the tsx command: it relays SIGTERM to a child of its own and, when the child has
 * not answered within 30 ms twice (a busy machine), SIGKILLs it, so a graceful shutdown under test
 * would turn into a crash at random. The loader by path, as the children run in other folders.
 */
const SERVER_COMMAND = [process.execPath, ['--import', pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href, MAIN_TS]] as const;

const running = new Set<ChildProcess>();

/**
 * Only what a child needs from our environment. Nothing else leaks in (vitest's NODE_ENV=test,
 * pg_virtualenv's PG* variables, a developer's DATABASE_URL or JWT_SECRET), so each test states
 * the whole configuration it runs with.
 */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'];
  const base = Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
  return { ...base, ...env };
}

export interface ProcessOutput {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Tracked {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<ProcessOutput>;
}

function track(command: string, args: string[], { env, cwd }: { env: Record<string, string>; cwd: string }): Tracked {
  // Its own process group: with WORKERS=N the server forks workers, and a group kill reaches them all.
  const child = spawn(command, args, { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<ProcessOutput>((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
    child.on('error', (err) => {
      stderr += `spawn failed: ${err.message}\n`;
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stop(t: Tracked, graceMs = 10_000): Promise<ProcessOutput> {
  if (t.child.exitCode === null && t.child.signalCode === null) {
    t.child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(t.child, 'SIGKILL'), graceMs);
    const out = await t.exited;
    clearTimeout(timer);
    killGroup(t.child, 'SIGKILL'); // its workers, should any be left behind
    return out;
  }
  return t.exited;
}

/** Runs a command to its end (or kills it after timeoutMs) and returns its exit code and output. */
export async function runCommand(
  command: string,
  args: string[],
  { env = {}, cwd = REPO_ROOT, timeoutMs = 60_000 }: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<ProcessOutput> {
  const t = track(command, args, { env, cwd });
  const timer = setTimeout(() => killGroup(t.child, 'SIGKILL'), timeoutMs);
  const out = await t.exited;
  clearTimeout(timer);
  return out;
}

/** Runs the server expecting it to stop by itself (a start-up failure). */
export function runMain({ env = {}, cwd, timeoutMs = 30_000 }: { env?: Record<string, string>; cwd: string; timeoutMs?: number }) {
  return runCommand(SERVER_COMMAND[0], [...SERVER_COMMAND[1]], { env, cwd, timeoutMs });
}

/** `npm run <script> [-- args]` in the repository. */
export function runNpmScript(script: string, args: string[], env: Record<string, string>) {
  return runCommand('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { env, cwd: REPO_ROOT });
}

export interface ServerProcess {
  url: string;
  port: number;
  /** The JSON log lines written so far. */
  logs(): Record<string, unknown>[];
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves with how it exited. */
  stop(): Promise<ProcessOutput>;
  /** Sends signal to the whole process group at once (SIGKILL: a crash, nothing cleans up). */
  kill(signal: NodeJS.Signals): Promise<ProcessOutput>;
  /** Resolves when the process has exited, for whatever reason. */
  exited: Promise<ProcessOutput>;
}

/**
 * Starts the real server and resolves once it listens. Pass PORT=0 (the default here) to get a
 * free port; the URL is read from the server's own "Server listening at" log line, so LOG_LEVEL
 * must be info or more verbose.
 */
export async function startServer({ env, cwd, timeoutMs = 60_000 }: { env: Record<string, string>; cwd: string; timeoutMs?: number }): Promise<ServerProcess> {
  const t = track(SERVER_COMMAND[0], [...SERVER_COMMAND[1]], { env: { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, cwd });
  const logs = () =>
    t
      .stdout()
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      void stop(t).then(() => reject(new Error(`server did not start within ${timeoutMs} ms:\n${t.stdout()}\n${t.stderr()}`)));
    }, timeoutMs);
    const poll = setInterval(() => {
      const line = logs().find((l) => typeof l.msg === 'string' && l.msg.startsWith('Server listening at '));
      if (line) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve((line.msg as string).slice('Server listening at '.length));
      }
    }, 50);
    void t.exited.then((out) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`server exited with ${out.code ?? out.signal} before listening:\n${out.stdout}\n${out.stderr}`));
    });
  });

  return {
    url,
    port: Number(new URL(url).port),
    logs,
    stdout: t.stdout,
    stderr: t.stderr,
    stop: () => stop(t),
    kill: (signal) => {
      killGroup(t.child, signal);
      return t.exited;
    },
    exited: t.exited,
  };
}

/** Stops every child this helper started that is still running: call it in afterAll. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('close', resolve)));
      clearTimeout(timer);
      killGroup(child, 'SIGKILL');
    }),
  );
}

/** A temporary directory, removed by the returned function. */
export function tempDir(prefix = 'qc-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
