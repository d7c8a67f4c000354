// The server side of bench/streaming.ts, in a process of its own so that its memory is measured
// alone (the fake upstream and the clients stay in the parent): the app built with buildApp on a
// fresh PGlite with the real metering, OpenAI pointed at the fake upstream, listening on port 0.
// It tells the parent its URL and a starter-tier user's token, then answers the parent's
// messages: 'baseline' (GC, then track peak memory and CPU from here), 'peak' (those since the
// baseline) and 'stats' (what it stored).
import v8 from 'node:v8';
import vm from 'node:vm';
import { buildApp } from '../server/src/app.js';
import { createUsersService } from '../server/src/features/users/users.service.js';
import { createTestDatabase } from '../server/test/databases.js';
import { createUser, listen, TEST_JWT_SECRET, testConfig } from '../server/test/test-app.js';

export type ToServer = { cmd: 'baseline' } | { cmd: 'peak' } | { cmd: 'stats' } | { cmd: 'stop' };
export type FromServer =
  | { type: 'ready'; url: string; token: string }
  | { type: 'baseline'; rss: number; heapUsed: number }
  | { type: 'peak'; rss: number; heapUsed: number; cpuPercent: number }
  | { type: 'stats'; replies: Record<string, number>; usageRecords: number; reserved: number; monthlyMatchesRecords: boolean };

const send = (message: FromServer) => process.send!(message);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const database = await createTestDatabase('pglite');
const config = testConfig({
  // Production's log level (lines go to /dev/null): logging is part of what a request costs.
  LOG_LEVEL: 'info',
  OPENAI_API_KEY: 'sk-bench',
  OPENAI_BASE_URL: process.env.UPSTREAM_BASE_URL!,
  OPENAI_MODELS: 'gpt-4o-mini',
  // The benchmark sends a few hundred calls in a minute and a few million tokens.
  TIER_STARTER_REQUESTS_PER_MINUTE: '100000',
  TIER_STARTER_MONTHLY_TOKENS: '1000000000',
});
const app = await buildApp(config, { db: database.db, jwtSecret: TEST_JWT_SECRET, webDist: false });
const url = await listen(app);
const user = await createUser(app);
await createUsersService({ db: database.db }).updateUser(user.id, { tier: 'starter' });

let peak = { rss: 0, heapUsed: 0 };
let since = { cpu: process.cpuUsage(), at: performance.now() };
const sample = () => {
  const { rss, heapUsed } = process.memoryUsage();
  peak = { rss: Math.max(peak.rss, rss), heapUsed: Math.max(peak.heapUsed, heapUsed) };
};
const sampler = setInterval(sample, 10);

process.on('message', async (message: ToServer) => {
  if (message.cmd === 'baseline') {
    gc();
    gc();
    const { rss, heapUsed } = process.memoryUsage();
    peak = { rss, heapUsed };
    since = { cpu: process.cpuUsage(), at: performance.now() };
    send({ type: 'baseline', rss, heapUsed });
  } else if (message.cmd === 'peak') {
    sample();
    const cpu = process.cpuUsage(since.cpu);
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - since.at)) * 100;
    send({ type: 'peak', ...peak, cpuPercent });
  } else if (message.cmd === 'stats') {
    const db = database.db;
    const replies = await db.query<{ status: string; n: number }>("SELECT status, count(*)::int AS n FROM messages WHERE role = 'assistant' GROUP BY status");
    const records = await db.query<{ n: number; total: string }>('SELECT count(*)::int AS n, coalesce(sum(total_tokens), 0)::text AS total FROM usage_records');
    const monthly = await db.query<{ total: string }>('SELECT coalesce(sum(total_tokens), 0)::text AS total FROM monthly_usage');
    const reserved = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_reservations');
    send({
      type: 'stats',
      replies: Object.fromEntries(replies.rows.map((r) => [r.status, r.n])),
      usageRecords: records.rows[0]!.n,
      reserved: reserved.rows[0]!.n,
      monthlyMatchesRecords: monthly.rows[0]!.total === records.rows[0]!.total,
    });
  } else if (message.cmd === 'stop') {
    clearInterval(sampler);
    await app.close();
    await database.drop();
    process.exit(0);
  }
});

send({ type: 'ready', url, token: user.accessToken });
