// The benchmark's settings: defaults as the issue measured, each overridable from the environment
// for a quick run (e.g. BENCH_LEVELS=1,64 BENCH_ROUNDS=1).
import type { Pacing } from './protocol.js';

export const TARGET_IDS = ['direct', 'passthrough', 'portkey', 'ours-v1-keys', 'ours-v1-1key', 'ours-chat-users', 'ours-chat-1user'] as const;
export type TargetId = (typeof TARGET_IDS)[number];

export interface Settings {
  rounds: number;
  levels: number[];
  targets: TargetId[];
  /** Streams each worker reads back to back at a level (so that level 1 has more than one sample). */
  perWorker: Record<number, number>;
  pace: Pacing;
  /** The non-streaming phase: concurrency, length, and the upstream's pace (0 = it answers at once). */
  json: { concurrency: number; durationMs: number; pace: Pacing };
  /** The past-capacity phase: our server restarted with this MAX_CONCURRENT_STREAMS, offered this many streams. */
  capacity: { maxConcurrentStreams: number; offered: number };
  users: number;
  streamTimeoutMs: number;
}

const int = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a whole number, got "${raw}"`);
  return n;
};

const list = (name: string, fallback: string) =>
  (process.env[name] || fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** 6 streams in a row at level 1, 3 at 64, 1 at 512 and 2,048; BENCH_STREAMS_PER_WORKER sets one count for all. */
function perWorkerFor(level: number): number {
  const fixed = process.env.BENCH_STREAMS_PER_WORKER;
  if (fixed) return int('BENCH_STREAMS_PER_WORKER', 1);
  return level === 1 ? 6 : level <= 64 ? 3 : 1;
}

export function readSettings(): Settings {
  const levels = list('BENCH_LEVELS', '1,64,512,2048').map(Number);
  if (levels.some((l) => !Number.isInteger(l) || l < 1)) throw new Error(`BENCH_LEVELS: expected e.g. 1,64,512,2048`);
  const targets = list('BENCH_TARGETS', TARGET_IDS.join(','));
  const unknown = targets.filter((t) => !(TARGET_IDS as readonly string[]).includes(t));
  if (unknown.length) throw new Error(`BENCH_TARGETS: unknown ${unknown.join(', ')} (known: ${TARGET_IDS.join(', ')})`);
  // The pass-through and the upstream itself are what every figure is measured against.
  for (const needed of ['direct', 'passthrough'] as const) if (!targets.includes(needed)) targets.unshift(needed);
  return {
    rounds: Math.max(1, int('BENCH_ROUNDS', 2)),
    levels,
    targets: TARGET_IDS.filter((t) => targets.includes(t)),
    perWorker: Object.fromEntries(levels.map((l) => [l, perWorkerFor(l)])),
    pace: { firstTokenMs: int('BENCH_FIRST_TOKEN_MS', 50), chunks: int('BENCH_CHUNKS', 64), chunkGapMs: int('BENCH_CHUNK_GAP_MS', 20) },
    json: {
      concurrency: int('BENCH_JSON_CONCURRENCY', 64),
      durationMs: int('BENCH_JSON_SECONDS', 5) * 1000,
      pace: { firstTokenMs: 0, chunks: int('BENCH_CHUNKS', 64), chunkGapMs: 0 },
    },
    capacity: { maxConcurrentStreams: int('BENCH_CAPACITY_MAX_STREAMS', 256), offered: int('BENCH_CAPACITY_OFFERED', 512) },
    users: int('BENCH_USERS', 512),
    streamTimeoutMs: int('BENCH_STREAM_TIMEOUT_MS', 60_000),
  };
}
