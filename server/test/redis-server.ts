// A real redis-server for the tests that count rate limits in Redis: a child process on a free
// local port, with no persistence, stopped by the test file's afterAll. redis-server is optional on
// a developer's machine (vitest.config.ts says so in one line when it is missing) and required in
// CI, which installs it (.ci/run).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Whether the Redis tests run here: yes with redis-server; without it they are skipped, or fail in CI. */
export function redisTestsRun(): boolean {
  if (redisServerInstalled()) return true;
  if (process.env.CI) throw new Error('CI must run the Redis suites: redis-server is not installed (apt-get install redis-server)');
  return false;
}

/** A local port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP server that accepts connections and never answers: a Redis that hangs. */
export async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(() => {});
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => sockets.add(s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts redis-server on a free port, or on `port` (to restart one a client already knows). */
export async function startRedisServer({ port = 0, timeoutMs = 10_000 } = {}): Promise<RedisServer & { port: number }> {
  port ||= await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()];
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} ${why}:\n${output}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    child.on('error', (err) => fail(`could not start (${err.message})`));
    child.on('exit', (code) => fail(`exited with ${code}`));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve();
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
