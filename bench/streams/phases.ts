// One phase: one target at one level, measured from outside. Before it, the gateway's idle RSS;
// during it, its peak RSS every 50 ms; around it, the CPU time of the gateway, of the PostgreSQL
// processes and of the fake upstream, from /proc. The figures of the replies come from the load
// generator's records.
import { cpuMsOf, machineBusyMs, processTree, rssOfAll, sampleRss } from './proc.js';
import type { Generator, Running } from './processes.js';
import type { PhaseSpec, StreamRecord } from './protocol.js';
import type { TargetId } from './settings.js';

export interface PhaseResult {
  /** 0 = warm-up (not in any figure). */
  round: number;
  kind: 'stream' | 'json' | 'capacity';
  target: TargetId;
  level: number;
  offered: number;
  completed: number;
  /** How every request ended: "200 complete", "200 cut", "503 with Retry-After", "500", "no response: ECONNRESET", "timeout"... */
  outcomes: Record<string, number>;
  /** Over the requests that got text: ms from sending to the first text (json: to the whole answer). */
  ttftMs: { p50: number; p99: number } | null;
  wallMs: number;
  /** Streams with a gap over the stall threshold between two pieces after the first text. */
  stalls: number;
  maxGapMs: number;
  /**
   * CPU time (ms) during the phase: the gateway's process tree, the PostgreSQL cluster's, the fake
   * upstream's, the generator's own; and the machine's, all processes together, of which `others`
   * is what the processes of other people on this shared machine used.
   */
  cpuMs: { gateway: number | null; postgres: number; upstream: number; generator: number; machine: number; others: number };
  /** ms waited after the last response until the gateway and PostgreSQL were quiet (their CPU counts in the phase). */
  settleMs: number;
  /** The gateway's resident memory (bytes): before the phase, idle, and its peak during it. */
  rss: { idle: number; peak: number } | null;
}

/** Nearest-rank quantile of unsorted numbers. */
export function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

function outcomeOf(r: StreamRecord): string {
  if (r.status === 0) return r.error === 'timeout' ? 'timeout' : `no response: ${r.error}`;
  if (r.status === 200) return r.complete ? '200 complete' : r.error === 'timeout' ? '200 timeout midway' : '200 cut';
  return r.retryAfter ? `${r.status} with Retry-After` : String(r.status);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the processes have stopped working on the phase's replies (writes, logs, settling),
 * so that this work counts in the phase and does not slow the next target down: at least 500 ms,
 * then until they use under 5% of a core over 250 ms, at most 15 s.
 */
async function settle(pids: () => number[]) {
  const started = performance.now();
  await sleep(500);
  for (let before = cpuMsOf(pids()); performance.now() - started < 15_000;) {
    await sleep(250);
    const now = cpuMsOf(pids());
    if (now - before < 12.5) break;
    before = now;
  }
  return performance.now() - started;
}

export interface PhaseContext {
  generator: Generator;
  /** The process answering the target (none for the upstream called directly). */
  gateway: Running | undefined;
  upstream: Running;
  postmasterPid: number;
  /** A gap between two pieces of a stream longer than this is a stall. */
  stallMs: number;
}

export async function runPhase(ctx: PhaseContext, meta: { round: number; kind: PhaseResult['kind']; target: TargetId }, spec: PhaseSpec): Promise<PhaseResult> {
  const gatewayPids = ctx.gateway ? processTree(ctx.gateway.pid) : [];
  const idle = rssOfAll(gatewayPids);
  const sampler = sampleRss(() => gatewayPids);
  const prepared = await ctx.generator.prepare(spec);
  const pgPidsBefore = processTree(ctx.postmasterPid);
  const before = { gateway: cpuMsOf(gatewayPids), postgres: cpuMsOf(pgPidsBefore), upstream: cpuMsOf([ctx.upstream.pid]), machine: machineBusyMs() };
  const outcome = await ctx.generator.go();
  // Work a reply leaves behind once its last byte is sent (writes, logs) is still its cost.
  const settleMs = await settle(() => [...gatewayPids, ...processTree(ctx.postmasterPid)]);
  const peak = sampler.stop();
  const gateway = ctx.gateway ? cpuMsOf(processTree(ctx.gateway.pid)) - before.gateway : null;
  const postgres = cpuMsOf(processTree(ctx.postmasterPid)) - before.postgres;
  const upstream = cpuMsOf([ctx.upstream.pid]) - before.upstream;
  const machine = machineBusyMs() - before.machine;
  // The generator's own figure covers 'go' to its last response, the others until settled: close enough to say how busy the rest was.
  const others = Math.max(0, machine - (gateway ?? 0) - postgres - upstream - outcome.generatorCpuMs);
  const cpu = { gateway, postgres, upstream, generator: outcome.generatorCpuMs, machine, others };

  const records = outcome.records;
  const outcomes: Record<string, number> = {};
  for (const r of records) outcomes[outcomeOf(r)] = (outcomes[outcomeOf(r)] ?? 0) + 1;
  if (prepared.failed) outcomes['connection not opened beforehand'] = prepared.failed;
  const ttfts = records.flatMap((r) => (r.status === 200 && r.ttftMs !== null ? [r.ttftMs] : []));
  return {
    ...meta,
    level: spec.level,
    offered: records.length,
    completed: records.filter((r) => r.complete).length,
    outcomes,
    ttftMs: ttfts.length ? { p50: quantile(ttfts, 0.5), p99: quantile(ttfts, 0.99) } : null,
    wallMs: outcome.wallMs,
    stalls: records.filter((r) => r.maxGapMs > ctx.stallMs).length,
    maxGapMs: records.reduce((m, r) => Math.max(m, r.maxGapMs), 0),
    cpuMs: cpu,
    settleMs,
    rss: ctx.gateway ? { idle, peak } : null,
  };
}
