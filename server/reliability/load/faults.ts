// The faults of one cycle of the load, each at a seeded moment: one server process SIGKILLed and
// started again, PostgreSQL restarted with `pg_ctl restart -m immediate` (a crash, recovered from
// its WAL), the Redis rate-limit backend stopped and started; and, all along, a seeded fate for
// each upstream call (broken off midway, stalled, refused, unreachable, slow to start).
import type { UpstreamScenario } from '../../test/fake-upstream.js';
import type { Cluster } from './cluster.js';
import type { Ledger } from './ledger.js';
import type { Random } from './prng.js';

const REPLY = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');

/** Each upstream call's fate; counted in the ledger. */
export function upstreamFates(random: Random, ledger: Ledger): () => Partial<UpstreamScenario> {
  return () => {
    const base = { text: REPLY, tokenDelayMs: random.int(5, 25) };
    const fate = random.weighted({ normal: 60, breaks: 12, stalls: 8, refuses: 6, unreachable: 4, slow: 10 });
    if (fate !== 'normal') ledger.fault(`upstream ${fate}`);
    switch (fate) {
      case 'breaks':
        return { ...base, failAfterTokens: random.int(0, 30) };
      case 'stalls':
        return { ...base, stallAfterTokens: random.int(0, 30) };
      case 'refuses':
        return { ...base, status: random.pick([400, 429, 500, 503]) };
      case 'unreachable':
        return { ...base, dropConnection: true };
      case 'slow':
        return { ...base, firstTokenDelayMs: random.int(200, 1200) };
      default:
        return base;
    }
  };
}

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

/** One cycle's process-level faults, spread over [start, start + cycleMs). */
export async function faultCycle({
  cluster,
  ledger,
  random,
  start,
  cycleMs,
}: {
  cluster: Cluster;
  ledger: Ledger;
  random: Random;
  start: number;
  cycleMs: number;
}) {
  const jitter = () => random.int(-1000, 1000);
  await sleepUntil(start + cycleMs * 0.2 + jitter());
  ledger.fault('server process SIGKILLed and restarted');
  await cluster.killAndRestart(cluster.slots.length - 1, random.int(500, 2000));

  await sleepUntil(start + cycleMs * 0.45 + jitter());
  ledger.fault('PostgreSQL restarted (immediate)');
  await cluster.restartPostgres();

  await sleepUntil(start + cycleMs * 0.65 + jitter());
  ledger.fault('Redis stopped and started');
  await cluster.stopRedis();
  await new Promise((r) => setTimeout(r, random.int(1000, 3000)));
  await cluster.startRedis();
}
