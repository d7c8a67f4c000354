// npx tsx bench/streams/render.ts bench/results/<date>-<host>.json: the figures, targets and
// Markdown computed again from the phases a run recorded, e.g. after a change to the report,
// without running the benchmark again. Rewrites that JSON and its -streams.md.
import { readFileSync } from 'node:fs';
import type { BenchResults } from './report.js';
import { assembleResults, writeResults } from './results.js';

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx bench/streams/render.ts bench/results/<date>-<host>.json');
const recorded = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
const { date, durationS, machine, node, commit, postgres, settings, phases } = recorded;
const { json, markdown } = writeResults(assembleResults({ date, durationS, machine, node, commit, postgres, settings }, phases));
console.log(`written to ${json} and ${markdown}`);
