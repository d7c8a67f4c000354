// From phases to figures: each figure per round (added time to first token is a target's TTFT
// quantile minus the upstream's own, called directly at the same level in the same round), then
// its median over the rounds with the range.
import type { PhaseResult } from './phases.js';
import type { TargetId } from './settings.js';

export interface Range {
  median: number;
  min: number;
  max: number;
  /** The value of each round, in round order (null: not measured in that round). */
  rounds: (number | null)[];
}

export interface StreamFigures {
  ttftP50: Range | null;
  ttftP99: Range | null;
  addedP50: Range | null;
  addedP99: Range | null;
  wallMs: Range | null;
  cpuPerReplyMs: Range | null;
  postgresCpuPerReplyMs: Range | null;
  upstreamCpuPerReplyMs: Range | null;
  /** (peak RSS - idle RSS) / concurrent streams, in KiB. */
  rssPerStreamKiB: Range | null;
  rssIdleMiB: Range | null;
  rssPeakMiB: Range | null;
  offered: number;
  completed: number;
  stalls: number;
  maxGapMs: number;
  outcomes: Record<string, number>;
}

export interface JsonFigures {
  requestsPerSecond: Range | null;
  latencyP50: Range | null;
  latencyP99: Range | null;
  cpuPerReplyMs: Range | null;
  postgresCpuPerReplyMs: Range | null;
  offered: number;
  completed: number;
  outcomes: Record<string, number>;
}

export function range(rounds: (number | null)[]): Range | null {
  const xs = rounds.filter((x): x is number => x !== null && Number.isFinite(x));
  if (!xs.length) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, rounds };
}

const perReply = (cpu: number | null, completed: number) => (cpu === null || completed === 0 ? null : cpu / completed);
const MiB = 2 ** 20;

function mergeOutcomes(phases: PhaseResult[]) {
  const merged: Record<string, number> = {};
  for (const p of phases) for (const [k, n] of Object.entries(p.outcomes)) merged[k] = (merged[k] ?? 0) + n;
  return merged;
}

export function streamFigures(phases: PhaseResult[], rounds: number, target: TargetId, level: number): StreamFigures | null {
  const find = (t: TargetId, r: number) => phases.find((p) => p.kind === 'stream' && p.round === r && p.target === t && p.level === level);
  const mine = Array.from({ length: rounds }, (_, i) => find(target, i + 1));
  const present = mine.filter((p): p is PhaseResult => p !== undefined);
  if (!present.length) return null;
  const per = (f: (p: PhaseResult, r: number) => number | null) => range(mine.map((p, i) => (p ? f(p, i + 1) : null)));
  const added = (q: 'p50' | 'p99') => (p: PhaseResult, r: number) => {
    const direct = find('direct', r)?.ttftMs;
    return p.ttftMs && direct ? p.ttftMs[q] - direct[q] : null;
  };
  return {
    ttftP50: per((p) => p.ttftMs?.p50 ?? null),
    ttftP99: per((p) => p.ttftMs?.p99 ?? null),
    addedP50: target === 'direct' ? null : per(added('p50')),
    addedP99: target === 'direct' ? null : per(added('p99')),
    wallMs: per((p) => p.wallMs),
    cpuPerReplyMs: per((p) => perReply(p.cpuMs.gateway, p.completed)),
    postgresCpuPerReplyMs: per((p) => perReply(p.cpuMs.postgres, p.completed)),
    upstreamCpuPerReplyMs: per((p) => perReply(p.cpuMs.upstream, p.completed)),
    rssPerStreamKiB: per((p) => (p.rss ? (p.rss.peak - p.rss.idle) / p.level / 1024 : null)),
    rssIdleMiB: per((p) => (p.rss ? p.rss.idle / MiB : null)),
    rssPeakMiB: per((p) => (p.rss ? p.rss.peak / MiB : null)),
    offered: present.reduce((n, p) => n + p.offered, 0),
    completed: present.reduce((n, p) => n + p.completed, 0),
    stalls: present.reduce((n, p) => n + p.stalls, 0),
    maxGapMs: present.reduce((m, p) => Math.max(m, p.maxGapMs), 0),
    outcomes: mergeOutcomes(present),
  };
}

export function jsonFigures(phases: PhaseResult[], rounds: number, target: TargetId): JsonFigures | null {
  const mine = Array.from({ length: rounds }, (_, i) => phases.find((p) => p.kind === 'json' && p.round === i + 1 && p.target === target));
  const present = mine.filter((p): p is PhaseResult => p !== undefined);
  if (!present.length) return null;
  const per = (f: (p: PhaseResult) => number | null) => range(mine.map((p) => (p ? f(p) : null)));
  return {
    requestsPerSecond: per((p) => p.completed / (p.wallMs / 1000)),
    latencyP50: per((p) => p.ttftMs?.p50 ?? null),
    latencyP99: per((p) => p.ttftMs?.p99 ?? null),
    cpuPerReplyMs: per((p) => perReply(p.cpuMs.gateway, p.completed)),
    postgresCpuPerReplyMs: per((p) => perReply(p.cpuMs.postgres, p.completed)),
    offered: present.reduce((n, p) => n + p.offered, 0),
    completed: present.reduce((n, p) => n + p.completed, 0),
    outcomes: mergeOutcomes(present),
  };
}

/** Ratio of two figures' medians; null when either is missing or the base is not above minBase (within the noise). */
export function ratio(a: Range | null | undefined, b: Range | null | undefined, minBase = 0): number | null {
  if (!a || !b || b.median <= 0 || b.median < minBase) return null;
  return a.median / b.median;
}
