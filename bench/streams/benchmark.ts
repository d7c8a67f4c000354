// The streaming-capacity benchmark (npm run bench:streams runs main.ts; npm run bench calls it
// last): how many concurrent streams our server carries, against the bare pass-through and
// Portkey in the same interleaved run. Starts
// everything on 127.0.0.1 (a fresh database in pg_virtualenv's PostgreSQL, the fake upstream, the
// pass-through, Portkey, our server, the load generator), makes the users, runs the rounds, and
// writes bench/results/<date>-<host>.json and <date>-<host>-streams.md. README.md here says more.
import { rmSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { createAccounts, createDatabase } from './accounts.js';
import { startGenerator, type Running } from './processes.js';
import { assembleResults, writeResults } from './results.js';
import { runCapacity, runRounds, type Stage } from './rounds.js';
import { oursEnv, PORTKEY_PRELOADS, serverSource, startOurs, startPassthrough, startPortkey, startUpstream } from './servers.js';
import { readSettings } from './settings.js';

const log = (line: string) => console.log(line);

async function postgresVersion(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  await c.end();
  return `PostgreSQL ${rows[0]!.v.split(' ')[0]}`;
}

export async function runStreamsBenchmark(): Promise<{ json: string; markdown: string; lines: string[] }> {
  const settings = readSettings();
  const started = Date.now();
  const loadBefore = os.loadavg()[0]!;
  const date = new Date().toISOString();
  const stallMs = 1000 + settings.pace.chunkGapMs;
  log(`streams benchmark: levels ${settings.levels.join(',')}, ${settings.rounds} rounds, targets ${settings.targets.join(',')}`);

  const db = await createDatabase();
  // After the database: a failed start leaves no exported copy of the server behind.
  const source = serverSource();
  const running: { stop(): Promise<void> }[] = [];
  const keep = <T extends { stop(): Promise<void> }>(p: T) => (running.push(p), p);
  let dataDir: string | undefined;
  try {
    const upstream = keep(await startUpstream(settings.pace));
    const passthrough = keep(await startPassthrough(upstream.port));
    const portkey = keep(await startPortkey());
    const env = oursEnv(db.url, upstream.port);
    dataDir = env.DATA_DIR;
    let ours: Running = keep(await startOurs(env, source.dir));
    const generator = keep(startGenerator());
    log(`servers up: upstream :${upstream.port}, pass-through :${passthrough.port}, Portkey :${portkey.port}, ours :${ours.port}`);

    const t = Date.now();
    const accounts = await createAccounts(`http://127.0.0.1:${ours.port}`, settings.users);
    log(`${accounts.length} users with an API key each, in ${((Date.now() - t) / 1000).toFixed(0)} s`);

    const stage: Stage = {
      ctx: { generator, upstream, postmasterPid: db.postmasterPid, stallMs },
      gateways: { passthrough, portkey, ours },
      ports: { upstream: upstream.port, passthrough: passthrough.port, portkey: portkey.port, ours: ours.port },
      accounts,
      settings,
      log,
    };
    const phases = await runRounds(stage);

    // The capped server replaces the main one (same database, same users), so it has the CPU to itself.
    await ours.stop();
    ours = keep(await startOurs({ ...env, MAX_CONCURRENT_STREAMS: String(settings.capacity.maxConcurrentStreams) }, source.dir));
    const capacity = await runCapacity(stage, ours);

    const results = assembleResults(
      {
        date,
        durationS: (Date.now() - started) / 1000,
        machine: {
          hostname: os.hostname(),
          cpuModel: os.cpus()[0]?.model ?? 'unknown',
          cores: os.cpus().length,
          memoryGiB: os.totalmem() / 2 ** 30,
          os: `${os.platform()} ${os.release()}`,
          // The machine is shared: how busy it was besides this run.
          loadAverage: { before: loadBefore, after: os.loadavg()[0]! },
        },
        node: process.version,
        commit: source.commit,
        postgres: await postgresVersion(db.url),
        settings: {
          ...settings,
          stallMs,
          ourServer: Object.fromEntries(
            Object.entries(env).filter(([k]) => !['JWT_SECRET', 'DATABASE_URL', 'DATA_DIR', 'DOTENV_CONFIG_PATH', 'TIER_LIMITS_FILE'].includes(k)),
          ),
          portkeyShim: PORTKEY_PRELOADS[0]!,
        },
      },
      [...phases, ...capacity],
    );
    const written = writeResults(results);
    log(`\nwritten to ${written.json} and ${written.markdown} (${(results.durationS / 60).toFixed(1)} min)`);
    return written;
  } finally {
    for (const p of running.reverse()) await p.stop().catch(() => undefined);
    await db.drop().catch((err: unknown) => console.error('could not drop the benchmark database:', err));
    source.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
