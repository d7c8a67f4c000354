// Load with faults, checked by SQL afterwards (README.md here). Three server processes on one
// private PostgreSQL and one redis-server, users near their limits, mixed traffic from seeded
// sessions while faults strike; then the reaper is given its time and the whole database is held
// to what the clients were told. RELIABILITY_SOAK_MINUTES=N (npm run test:reliability -- --minutes N)
// runs it N minutes, with a report line per minute.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAndLogin } from '../../test/chat-client.js';
import { privatePostgresAvailable } from '../../test/private-postgres.js';
import { redisTestsRun } from '../../test/redis-server.js';
import { checkAggregates, checkCalls, checkLimits, checkMessages, checkReservationAges, type CheckReport } from './checks.js';
import { startCluster, type Cluster } from './cluster.js';
import { faultCycle, upstreamFates } from './faults.js';
import { createLedger } from './ledger.js';
import { createRandom, seedFromEnv } from './prng.js';
import { runSession, type LoadUser } from './session.js';
import { reportMinute } from './soak-report.js';

const SOAK_MINUTES = Number(process.env.RELIABILITY_SOAK_MINUTES ?? 0);
const SEED = seedFromEnv();
const DURATION_MS = SOAK_MINUTES > 0 ? SOAK_MINUTES * 60_000 : 30_000;
/** Faults strike once per cycle: once in a CI run, every minute in a soak. */
const CYCLE_MS = SOAK_MINUTES > 0 ? 60_000 : DURATION_MS;
const SESSIONS_PER_USER = 3;
/** A soak spreads the users' budgets over its minutes, so that they come near their limits by its end, not in its first minute. */
const BUDGET_SCALE = Math.max(1, SOAK_MINUTES);
const TIER_LIMIT = 50_000 * BUDGET_SCALE;
/** Each user's own cap (null: the tier's) and the tokens it has left this month when the load starts. */
const USERS = [
  { cap: null, left: 2_000 },
  { cap: null, left: 1_500 },
  { cap: 30_000, left: 4_000 },
  { cap: 30_000, left: 2_500 },
  { cap: null, left: 30_000 },
  { cap: 40_000, left: 30_000 },
].map(({ cap, left }) => {
  const limit = Math.min(TIER_LIMIT, cap === null ? Infinity : cap * BUDGET_SCALE);
  return { cap: cap === null ? null : cap * BUDGET_SCALE, limit, earlier: limit - left * BUDGET_SCALE };
});
const REPLAY = `RELIABILITY_SEED=${SEED} npm run test:reliability -- server/reliability/load/load.pg.test.ts`;

const runs = privatePostgresAvailable() && redisTestsRun();
if (!runs) console.log('load with faults not run: it needs the PostgreSQL server binaries and redis-server');

describe.runIf(runs)('load with faults on 3 server processes', () => {
  let cluster: Cluster;
  const users: LoadUser[] = [];
  const limits = new Map<string, number>();

  beforeAll(async () => {
    cluster = await startCluster({ processes: 3, env: { TIER_STARTER_MONTHLY_TOKENS: String(TIER_LIMIT) } });
    const month = new Date().toISOString().slice(0, 7);
    for (const u of USERS) {
      const email = `${randomUUID()}@load.example`;
      const password = 'correct horse battery staple';
      const { token, userId } = await registerAndLogin(cluster.slots[0]!.server!.url, email, password);
      users.push({ id: userId, email, password, token });
      limits.set(userId, u.limit);
      // Test set-up, as an operator's tools would: the plan, the cap, and earlier use this month.
      await cluster.db.query("UPDATE users SET tier = 'starter', monthly_token_cap = $2 WHERE id = $1", [userId, u.cap]);
      await cluster.db.query(
        `INSERT INTO usage_records (user_id, month, model, provider, input_tokens, output_tokens, total_tokens) VALUES ($1, $2, 'demo', 'demo', $3, 0, $3)`,
        [userId, month, u.earlier],
      );
      await cluster.db.query('INSERT INTO monthly_usage (user_id, month, input_tokens, total_tokens, request_count) VALUES ($1, $2, $3, $3, 1)', [
        userId,
        month,
        u.earlier,
      ]);
    }
  }, 120_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it(
    'keeps every user within its limit, meters every call once and loses no message',
    async () => {
      console.log(`[load] seed ${SEED}, ${DURATION_MS / 1000} s; replay: ${REPLAY}`);
      const startedAt = Date.now();
      const random = createRandom(SEED);
      const ledger = createLedger();
      cluster.upstream.vary(upstreamFates(random.fork(), ledger));
      const deadline = startedAt + DURATION_MS;

      const sessions = users.flatMap((user) =>
        Array.from({ length: SESSIONS_PER_USER }, () => runSession({ cluster, ledger, user, random: random.fork(), deadline })),
      );
      const faultRandom = random.fork();
      const chaos = (async () => {
        for (let start = startedAt; start + CYCLE_MS <= deadline + 1; start += CYCLE_MS)
          await faultCycle({ cluster, ledger, random: faultRandom, start, cycleMs: CYCLE_MS });
      })();
      const minutes =
        SOAK_MINUTES > 0 ? setInterval(() => void reportMinute(`minute ${Math.round((Date.now() - startedAt) / 60_000)}`, cluster, ledger), 60_000) : undefined;
      // Keeps the fake upstream's record of requests from growing over a long soak.
      const forget = setInterval(() => cluster.upstream.forgetRequests(), 10_000);
      await Promise.all([...sessions, chaos]).finally(() => {
        clearInterval(minutes);
        clearInterval(forget);
      });
      const loadEndedAt = Date.now();
      await reportMinute('end', cluster, ledger);

      const report: CheckReport = { checked: {}, broken: [] };
      // The reaper keeps up during the load...
      await checkReservationAges(cluster.db, cluster.reaperIntervalMs * 2 + 1000, report);
      // ...and once every reservation has outlived its lifetime, none is left.
      await new Promise((r) => setTimeout(r, Math.max(0, loadEndedAt + cluster.reservationTtlMs + cluster.reaperIntervalMs * 3 - Date.now())));
      const { rows } = await cluster.db.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_reservations');
      report.checked['no reservation left after the reaper ran'] = 1;
      if (rows[0]!.n) report.broken.push(`${rows[0]!.n} reservations left after the reaper ran`);
      await checkLimits(cluster.db, limits, report);
      await checkAggregates(cluster.db, report);
      await checkCalls(cluster.db, ledger, report);
      await checkMessages(cluster.db, ledger, report);

      const invariants = Object.values(report.checked).reduce((a, b) => a + b, 0);
      const faults = Object.values(ledger.faults).reduce((a, b) => a + b, 0);
      const uncertain = [...ledger.conversations.values()].filter((c) => c.uncertain).length;
      console.log(
        [
          `[load] seed ${SEED}: ${ledger.requests} requests in ${((loadEndedAt - startedAt) / 1000).toFixed(0)} s, by kind ${JSON.stringify(ledger.byKind)}`,
          `[load] statuses ${JSON.stringify(ledger.statuses)}`,
          `[load] ${faults} faults injected: ${JSON.stringify(ledger.faults)}`,
          `[load] ${invariants} invariants checked: ${JSON.stringify(report.checked)}`,
          `[load] model calls seen to start: ${ledger.chatCalls.size} chat, ${ledger.apiCalls.size} /v1; conversations ${ledger.conversations.size} (${uncertain} left uncertain by faults)`,
        ].join('\n'),
      );
      expect(cluster.deaths, `server processes that died (seed ${SEED}; replay: ${REPLAY})`).toEqual([]);
      expect(ledger.problems, `broken on the spot (seed ${SEED}; replay: ${REPLAY})`).toEqual([]);
      expect(report.broken, `broken in the database (seed ${SEED}; replay: ${REPLAY})`).toEqual([]);
    },
    DURATION_MS + 180_000,
  );
});
