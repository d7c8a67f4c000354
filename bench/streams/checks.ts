// The issue's targets, each checked in every round of this run against the figures of that same
// round: a target is met only when it is met in every round, and `measured` is the worst round.
// Nothing here is tuned to pass: a target that was not measured is reported as missed.
import type { JsonFigures, Range, StreamFigures } from './figures.js';
import type { PhaseResult } from './phases.js';
import type { Settings, TargetId } from './settings.js';

export interface Check {
  target: string;
  /** The worst round's value (a ratio, KiB, a count...), or null when it could not be measured. */
  measured: number | string | null;
  met: boolean;
  detail: string;
}

export interface Measured {
  settings: Settings;
  stream: (target: TargetId, level: number) => StreamFigures | null;
  json: (target: TargetId) => JsonFigures | null;
  capacity: PhaseResult[];
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const missing = (target: string, why: string): Check => ({ target, measured: null, met: false, detail: `not measured: ${why}` });

/** What a phase served: a latency or CPU figure of a phase that failed requests is no success. */
type Served = Pick<StreamFigures, 'offered' | 'completed' | 'outcomes'>;

/**
 * a[r] <= k * b[r] in every round, and every request of the `served` figures (ours) complete;
 * measured = the largest a[r] / b[r] (none when a base is under minBase: within the noise).
 */
function perRoundAtMost(
  target: string,
  a: Range | null | undefined,
  b: Range | null | undefined,
  k: number,
  unit: string,
  served: (Served | null | undefined)[],
  minBase = 0,
): Check {
  if (!a || !b) return missing(target, 'a figure is missing from this run');
  const pairs = a.rounds.flatMap((x, i) => (x !== null && b.rounds[i] != null ? [{ round: i + 1, x, y: b.rounds[i] }] : []));
  if (!pairs.length) return missing(target, 'no round has both figures');
  const failed = served.filter((f) => !f || f.completed < f.offered);
  // A round without the figure (e.g. no stream got any text) counts as missed.
  const met = pairs.length === a.rounds.length && pairs.every(({ x, y }) => x <= k * y) && !failed.length;
  const ratios = pairs.map(({ x, y }) => (y > 0 && y >= minBase ? x / y : null));
  const worst = ratios.some((q) => q === null) ? null : Math.max(...(ratios as number[]));
  const rounds = pairs.map(({ round, x, y }) => `round ${round}: ${x.toFixed(2)} vs ${y.toFixed(2)} ${unit}`).join('; ');
  const noRatio = worst === null ? ` (a base ${minBase ? `under ${minBase} ${unit}, within the noise` : 'not above 0'}: no ratio)` : '';
  const failures = failed.map((f) =>
    f ? `only ${f.completed}/${f.offered} of ours' requests completed (${describeOutcomes(f.outcomes)})` : 'ours not measured',
  );
  return { target, measured: worst === null ? null : r2(worst), met, detail: [rounds + noRatio, ...failures].join('; ') };
}

const describeOutcomes = (outcomes: Record<string, number>) =>
  Object.entries(outcomes)
    .filter(([k]) => k !== '200 complete')
    .map(([k, n]) => `${n} x ${k}`)
    .join(', ');

export function evaluateTargets(m: Measured): Check[] {
  const checks: Check[] = [];
  const has = (level: number) => m.settings.levels.includes(level);
  const paths = [
    ['ours-v1-keys', '/v1 (API keys)'],
    ['ours-chat-users', '/api/chat (logged-in users)'],
  ] as const;

  // 1. Added time to first token against the pass-through (<= 1.5x) and Portkey (<= 0.5x).
  for (const [id, door] of paths) {
    for (const level of [64, 512]) {
      for (const q of ['P50', 'P99'] as const) {
        for (const [base, k] of [
          ['passthrough', 1.5],
          ['portkey', 0.5],
        ] as const) {
          const name = `1. added TTFT ${q.toLowerCase()}, ${level} streams, ours ${door} <= ${k}x ${base === 'passthrough' ? 'the bare pass-through' : 'Portkey'}`;
          if (!has(level)) checks.push(missing(name, `level ${level} not in BENCH_LEVELS`));
          else {
            const ours = m.stream(id, level);
            checks.push(perRoundAtMost(name, ours?.[`added${q}`], m.stream(base, level)?.[`added${q}`], k, 'ms', [ours], 1));
          }
        }
      }
    }
  }

  // 2. 2,048 concurrent streams on one process: all complete, none stalls, < 64 KiB RSS each.
  const allOurs = ['ours-v1-keys', 'ours-v1-1key', 'ours-chat-users', 'ours-chat-1user'] as const;
  for (const id of allOurs) {
    const f = has(2048) ? m.stream(id, 2048) : null;
    const label = id.replace('ours-', 'ours ');
    if (!f) {
      for (const what of ['every stream completes', 'no stream stalls', 'RSS per stream < 64 KiB'])
        checks.push(missing(`2. 2,048 streams, ${label}: ${what}`, 'level 2048 or this target not run'));
      continue;
    }
    checks.push({
      target: `2. 2,048 streams, ${label}: every stream completes`,
      measured: `${f.completed}/${f.offered}`,
      met: f.completed === f.offered,
      detail: JSON.stringify(f.outcomes),
    });
    checks.push({
      target: `2. 2,048 streams, ${label}: no stream stalls (gap > 1 s + the upstream's ${m.settings.pace.chunkGapMs} ms)`,
      measured: f.stalls,
      met: f.stalls === 0,
      detail: `longest gap ${f.maxGapMs.toFixed(0)} ms`,
    });
    const rss = f.rssPerStreamKiB;
    // Memory per stream means something only when the streams were carried, not refused.
    const carried = f.completed === f.offered;
    checks.push({
      target: `2. 2,048 streams, ${label}: RSS per stream < 64 KiB`,
      measured: rss ? r2(rss.max) : null,
      met: rss !== null && rss.rounds.every((x) => x !== null && x < 64) && carried,
      detail: `${rss ? `KiB per round: ${rss.rounds.map((x) => x?.toFixed(1)).join(', ')}` : 'no RSS samples'}${carried ? '' : `; not met however low: only ${f.completed}/${f.offered} streams completed, the rest were not carried`}`,
    });
  }

  // 3. CPU per streamed reply <= 2x the pass-through's.
  for (const [id, door] of paths) {
    for (const level of [64, 512, 2048]) {
      const name = `3. CPU per streamed reply, ${level} streams, ours ${door} <= 2x the bare pass-through`;
      if (!has(level)) checks.push(missing(name, `level ${level} not in BENCH_LEVELS`));
      else {
        const ours = m.stream(id, level);
        const c = perRoundAtMost(name, ours?.cpuPerReplyMs, m.stream('passthrough', level)?.cpuPerReplyMs, 2, 'ms', [ours]);
        const pg = ours?.postgresCpuPerReplyMs;
        checks.push({ ...c, detail: `${c.detail}${pg ? `; PostgreSQL besides: ${pg.median.toFixed(2)} ms per reply` : ''}` });
      }
    }
  }

  // 4. One user with 512 streams within 1.2x of 512 users with one stream each.
  for (const [one, many, door] of [
    ['ours-v1-1key', 'ours-v1-keys', '/v1'],
    ['ours-chat-1user', 'ours-chat-users', '/api/chat'],
  ] as const) {
    for (const [what, key] of [
      ['added TTFT p50', 'addedP50'],
      ['wall time of the phase', 'wallMs'],
    ] as const) {
      const name = `4. ${door}, 512 streams: one user's ${what} <= 1.2x that of 512 users`;
      if (!has(512)) checks.push(missing(name, 'level 512 not in BENCH_LEVELS'));
      else checks.push(perRoundAtMost(name, m.stream(one, 512)?.[key], m.stream(many, 512)?.[key], 1.2, 'ms', [m.stream(one, 512), m.stream(many, 512)]));
    }
  }

  // 5. Non-streaming /v1: requests per second at 64 concurrent >= Portkey's.
  {
    const name = `5. non-streaming /v1, ${m.settings.json.concurrency} concurrent: ours (API keys) req/s >= Portkey's`;
    const oursJson = m.json('ours-v1-keys');
    const ours = oursJson?.requestsPerSecond;
    const portkey = m.json('portkey')?.requestsPerSecond;
    // ours >= portkey  <=>  portkey <= 1 x ours; measured is ours / portkey in the worst round.
    const c = perRoundAtMost(name, portkey, ours, 1, 'req/s (Portkey vs ours)', [oursJson]);
    const worst = ours && portkey ? Math.min(...ours.rounds.map((x, i) => (x !== null && portkey.rounds[i] ? x / portkey.rounds[i] : Infinity))) : null;
    checks.push({ ...c, measured: worst === null || !Number.isFinite(worst) ? null : r2(worst) });
  }

  // 6. Past capacity: no 500, no stream cut midway; each request completes or gets 503 + Retry-After.
  for (const id of ['ours-v1-keys', 'ours-chat-users'] as const) {
    const name = `6. past capacity (MAX_CONCURRENT_STREAMS=${m.settings.capacity.maxConcurrentStreams}, ${m.settings.capacity.offered} offered), ours ${id === 'ours-v1-keys' ? '/v1' : '/api/chat'}: no 500, none cut, each completes or gets 503 with Retry-After`;
    const p = m.capacity.find((x) => x.target === id);
    if (!p) {
      checks.push(missing(name, 'capacity phase not run'));
      continue;
    }
    const ok = (p.outcomes['200 complete'] ?? 0) + (p.outcomes['503 with Retry-After'] ?? 0);
    const bad = Object.entries(p.outcomes).filter(([k]) => k !== '200 complete' && k !== '503 with Retry-After');
    checks.push({
      target: name,
      measured: `${p.outcomes['200 complete'] ?? 0} complete, ${p.outcomes['503 with Retry-After'] ?? 0} x 503 with Retry-After, ${p.offered - ok} other`,
      met: ok === p.offered && !p.outcomes['connection not opened beforehand'],
      detail: bad.length ? `other: ${JSON.stringify(Object.fromEntries(bad))}` : 'nothing else',
    });
  }
  return checks;
}
