// Starting and stopping the benchmark's processes: each server in a process of its own, so that
// its CPU time and memory in /proc are its own; output to /dev/null (stderr kept to explain a
// failed start; BENCH_OURS_LOG=<file> keeps our server's log there instead, to see why requests failed).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FromGenerator, PhaseOutcome, PhaseSpec, ToGenerator } from './protocol.js';

export interface Running {
  name: string;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function stopper(child: ChildProcess) {
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  return async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
}

/** Keeps the last lines a child wrote to stderr, for the message when it fails. */
function tail(child: ChildProcess) {
  let text = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (text = (text + s).slice(-4000)));
  return () => text;
}

/** A TypeScript file of bench/streams that sends {port} once it listens. */
export async function forkServer(name: string, file: string, env: Record<string, string> = {}): Promise<Running> {
  const child = fork(here(file), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const stderr = tail(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening:\n${stderr()}`)));
  });
  return { name, pid: child.pid!, port, stop: stopper(child) };
}

/** A server started as a command, ready once GET readyPath answers 200. */
export async function spawnServer(
  name: string,
  args: string[],
  opts: { port: number; env: Record<string, string>; readyPath: string; cwd?: string; stdoutFile?: string },
): Promise<Running> {
  const stdout = opts.stdoutFile ? openSync(opts.stdoutFile, 'a') : 'ignore';
  const child = spawn(process.execPath, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', stdout, 'pipe'] });
  if (typeof stdout === 'number') closeSync(stdout);
  const stderr = tail(child);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before it was ready:\n${stderr()}`);
    const ok = await fetch(`http://127.0.0.1:${opts.port}${opts.readyPath}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${name} not ready after 60 s:\n${stderr()}`);
    await sleep(200);
  }
  return { name, pid: child.pid!, port: opts.port, stop: stopper(child) };
}

/** The load generator's process and its two steps per phase. */
export function startGenerator() {
  const child = fork(here('./load-generator.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () =>
    new Promise<FromGenerator>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`load generator exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (m: FromGenerator) => {
        child.off('exit', onExit);
        resolve(m);
      });
    });
  const send = (m: ToGenerator) => child.send(m);
  return {
    pid: child.pid!,
    async prepare(spec: PhaseSpec) {
      const reply = next();
      send({ type: 'prepare', spec });
      const m = await reply;
      if (m.type !== 'prepared') throw new Error(`load generator: expected prepared, got ${m.type}`);
      return m;
    },
    async go(): Promise<PhaseOutcome> {
      const reply = next();
      send({ type: 'go' });
      const m = await reply;
      if (m.type !== 'done') throw new Error(`load generator: expected done, got ${m.type}`);
      return m.outcome;
    },
    stop: stopper(child),
  };
}

export type Generator = ReturnType<typeof startGenerator>;
