// From the phases of a run to everything reported: the figures, their ratios, the targets met or
// missed; and the two files. Used by the run itself and by render.ts, which recomputes the
// report from a run's JSON (the phases are the measurements; all the rest is derived from them).
import { mkdirSync, writeFileSync } from 'node:fs';
import { evaluateTargets } from './checks.js';
import { jsonFigures, range, streamFigures, type StreamFigures } from './figures.js';
import type { PhaseResult } from './phases.js';
import { markdownReport, ratiosOf, type BenchResults } from './report.js';
import type { TargetId } from './settings.js';

/** What a run records besides its phases. */
export type RunMeta = Pick<BenchResults, 'date' | 'durationS' | 'machine' | 'node' | 'commit' | 'postgres' | 'settings'>;

function othersCores(phases: PhaseResult[]) {
  const cores = phases.map((p) => p.cpuMs.others / (p.wallMs + p.settleMs));
  return { median: range(cores)?.median ?? 0, max: Math.max(0, ...cores) };
}

export function assembleResults(meta: RunMeta, phases: PhaseResult[]): BenchResults {
  const { settings } = meta;
  const stream: BenchResults['figures']['stream'] = {};
  const json: BenchResults['figures']['json'] = {};
  for (const id of settings.targets) {
    const byLevel: Record<number, StreamFigures> = {};
    for (const level of settings.levels) {
      const f = streamFigures(phases, settings.rounds, id, level);
      if (f) byLevel[level] = f;
    }
    stream[id] = byLevel;
    const j = jsonFigures(phases, settings.rounds, id);
    if (j) json[id] = j;
  }
  const capacity = phases.filter((p) => p.kind === 'capacity');
  const targets = evaluateTargets({
    settings,
    stream: (id: TargetId, level: number) => stream[id]?.[level] ?? null,
    json: (id: TargetId) => json[id] ?? null,
    capacity,
  });
  return {
    ...meta,
    figures: { stream, json, capacity },
    ratios: ratiosOf(stream, json),
    targets,
    generatorPeakCpuPercent: Math.max(0, ...phases.map((p) => (p.cpuMs.generator / p.wallMs) * 100)),
    othersCores: othersCores(phases.filter((p) => p.round > 0)),
    phases,
  };
}

/**
 * bench/results/<date>-<host>.json and <date>-<host>-streams.md (<date>-<host>.md is npm run
 * bench's whole report); BENCH_RESULTS_DIR=<dir> writes them elsewhere, e.g. for a quick run.
 */
export function writeResults(results: BenchResults, dir = process.env.BENCH_RESULTS_DIR || 'bench/results') {
  const lines = markdownReport(results);
  mkdirSync(dir, { recursive: true });
  const base = `${dir}/${results.date.slice(0, 10)}-${results.machine.hostname}`;
  const files = { json: `${base}.json`, markdown: `${base}-streams.md` };
  writeFileSync(files.json, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(files.markdown, lines.join('\n') + '\n');
  return { ...files, lines };
}
