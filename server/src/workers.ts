// WORKERS=N: one server process per core without a separate process manager. The primary forks N
// workers (node:cluster); each is a whole server on the shared PostgreSQL (and Redis when set),
// and the primary hands incoming connections to them in turn. A worker that dies is replaced;
// SIGTERM or SIGINT stops them all, each finishing as a single process would.
import cluster, { type Worker } from 'node:cluster';

export interface WorkersOptions {
  count: number;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** Runs in the primary; resolves when every worker has exited after a stop signal. */
export function runWorkers({ count, log }: WorkersOptions): Promise<void> {
  let stopping = false;
  const restarts: number[] = [];
  const fork = () => cluster.fork();

  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) return;
    // A worker that keeps dying at once (a bad config, a database that refuses) is not restarted
    // in a tight loop: more than 5 deaths within 30 s stop the primary.
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0]! < now - 30_000) restarts.shift();
    if (restarts.length > 5) {
      log('workers keep exiting; stopping', { code, signal });
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      process.exitCode = 1;
      return;
    }
    log('worker exited; starting another', { pid: worker.process.pid, code, signal });
    fork();
  });

  for (let i = 0; i < count; i++) fork();

  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log('stopping workers', { signal });
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    cluster.on('exit', () => {
      if (stopping && Object.keys(cluster.workers ?? {}).length === 0) resolve();
    });
  });
}
