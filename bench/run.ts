// npm run bench: runs every benchmark side by side in one process (the streaming capacity last, in
// processes of its own) and writes the results, with the machine and date, to
// bench/results/<date>-<host>.md. Compare ratios, not absolute times:
// these machines are shared and noisy.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createTestDatabase, postgresAvailable, type DbKind } from '../server/test/databases.js';
import { benchMetering } from './metering.js';
import { benchStreaming, streamingReport } from './streaming.js';
import { runStreamsBenchmark } from './streams/benchmark.js';
import { measureWebBundle, webBundleReport } from './web-bundle.js';
import { benchWebResponsiveness, webResponsivenessReport } from './web-responsiveness.js';

const N = Number(process.env.BENCH_N ?? 500);
const lines: string[] = [];
const say = (s = '') => {
  console.log(s);
  lines.push(s);
};

const date = new Date().toISOString();
say(`# Benchmarks ${date.slice(0, 10)}`);
say();
say(
  `- machine: ${os.hostname()}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}`,
);
say(`- node ${process.version}; run at ${date}; N=${N}`);
say();
say('## Metering: exact reserve + settle vs naive check-then-add');
say();
say('| database | naive serial ops/s | exact serial ops/s | exact/naive | exact, 50 concurrent on one user, ops/s |');
say('| --- | ---: | ---: | ---: | ---: |');

const kinds: DbKind[] = postgresAvailable() ? ['pglite', 'postgres'] : ['pglite'];
for (const kind of kinds) {
  const t = await createTestDatabase(kind);
  try {
    const r = await benchMetering(t.db, N);
    say(
      `| ${kind} | ${r.naiveSerial.perSecond.toFixed(0)} | ${r.exactSerial.perSecond.toFixed(0)} | ${(r.exactSerial.perSecond / r.naiveSerial.perSecond).toFixed(2)} | ${r.exactConcurrent.perSecond.toFixed(0)} |`,
    );
  } finally {
    await t.drop();
  }
}
if (!postgresAvailable()) say('\nPostgreSQL not measured: no PGHOST (run `npm run bench` where pg_virtualenv exists).');

say();
for (const line of streamingReport(await benchStreaming())) say(line);

say();
// The production build users get (a test run may have left a development one).
execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'production' },
});
for (const line of webBundleReport(measureWebBundle('web/dist'))) say(line);

say();
// In Chromium against the production build made just above.
for (const line of webResponsivenessReport(await benchWebResponsiveness())) say(line);

say();
// Last, once nothing else here runs: the streaming capacity against the bare pass-through and
// Portkey (bench/streams, its own processes and its own .json beside this report).
if (process.env.PGHOST) {
  const streams = await runStreamsBenchmark();
  for (const line of streams.lines) say(line.startsWith('#') ? `#${line}` : line);
  say();
  say(`All the figures, phase by phase: ${streams.json}.`);
} else {
  say('## Streaming capacity\n\nNot measured: it needs a PostgreSQL cluster in PGHOST... (`npm run bench` makes one where pg_virtualenv exists).');
}

mkdirSync('bench/results', { recursive: true });
const file = `bench/results/${date.slice(0, 10)}-${os.hostname()}.md`;
writeFileSync(file, lines.join('\n') + '\n');
console.log(`\nwritten to ${file}`);
