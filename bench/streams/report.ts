// The results as JSON (everything, phase by phase) and as Markdown: the machine and settings, one
// table per figure (rows = targets, columns = levels; each figure the median over the rounds with
// its range, and its ratio to the pass-through and to Portkey of the same run), the targets met
// or missed.
import type { Check } from './checks.js';
import { ratio, type JsonFigures, type Range, type StreamFigures } from './figures.js';
import type { PhaseResult } from './phases.js';
import type { Settings, TargetId } from './settings.js';
import { isOurs, targetLabel } from './targets.js';

export interface BenchResults {
  date: string;
  durationS: number;
  machine: { hostname: string; cpuModel: string; cores: number; memoryGiB: number; os: string; loadAverage: { before: number; after: number } };
  node: string;
  commit: string;
  postgres: string;
  settings: Settings & { stallMs: number; ourServer: Record<string, string>; portkeyShim: string };
  figures: {
    stream: Partial<Record<TargetId, Record<number, StreamFigures>>>;
    json: Partial<Record<TargetId, JsonFigures>>;
    capacity: PhaseResult[];
  };
  /** Each figure divided by the pass-through's and by Portkey's, medians of this run (null: no base). */
  ratios: {
    stream: Partial<
      Record<
        TargetId,
        Record<number, Record<'addedP50' | 'addedP99' | 'cpuPerReplyMs' | 'rssPerStreamKiB', { passthrough: number | null; portkey: number | null }>>
      >
    >;
    json: Partial<Record<TargetId, { passthrough: number | null; portkey: number | null }>>;
  };
  targets: Check[];
  /** Load generator's CPU in its busiest phase, in % of one core. */
  generatorPeakCpuPercent: number;
  /** Cores the other processes of this shared machine kept busy during the measured phases. */
  othersCores: { median: number; max: number };
  phases: PhaseResult[];
}

export function ratiosOf(stream: BenchResults['figures']['stream'], json: BenchResults['figures']['json']): BenchResults['ratios'] {
  const out: BenchResults['ratios'] = { stream: {}, json: {} };
  for (const [id, byLevel] of Object.entries(stream) as [TargetId, Record<number, StreamFigures>][]) {
    out.stream[id] = {};
    for (const [level, f] of Object.entries(byLevel)) {
      const pt = stream.passthrough?.[Number(level)];
      const pk = stream.portkey?.[Number(level)];
      // An added TTFT under 1 ms or growth under 1 KiB per stream is within the noise: no ratio to it.
      const both = (k: 'addedP50' | 'addedP99' | 'cpuPerReplyMs' | 'rssPerStreamKiB', minBase = k === 'cpuPerReplyMs' ? 0 : 1) => ({
        passthrough: ratio(f[k], pt?.[k], minBase),
        portkey: ratio(f[k], pk?.[k], minBase),
      });
      out.stream[id][Number(level)] = {
        addedP50: both('addedP50'),
        addedP99: both('addedP99'),
        cpuPerReplyMs: both('cpuPerReplyMs'),
        rssPerStreamKiB: both('rssPerStreamKiB'),
      };
    }
  }
  for (const [id, f] of Object.entries(json) as [TargetId, JsonFigures][]) {
    out.json[id] = {
      passthrough: ratio(f.requestsPerSecond, json.passthrough?.requestsPerSecond),
      portkey: ratio(f.requestsPerSecond, json.portkey?.requestsPerSecond),
    };
  }
  return out;
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);
const cell = (r: Range | null | undefined, digits = 1) => (r ? `${fmt(r.median, digits)} (${fmt(r.min, digits)}–${fmt(r.max, digits)})` : '–');
const x = (q: number | null | undefined) => (q === null || q === undefined ? '–' : `${q.toFixed(2)}x`);

export function markdownReport(r: BenchResults): string[] {
  const s = r.settings;
  const levels = s.levels;
  const label = (id: TargetId, level?: number) => targetLabel(id, level === undefined ? undefined : Math.min(level, s.users));
  const rows = (ids: TargetId[], f: (id: TargetId, level: number) => string) =>
    ids.map((id) => `| ${label(id)} | ${levels.map((l) => f(id, l)).join(' | ')} |`);
  const head = (first: string) => [
    `| ${first} | ${levels.map((l) => `${l.toLocaleString('en')} streams`).join(' | ')} |`,
    `| --- | ${levels.map(() => '---:').join(' | ')} |`,
  ];
  const gateways = s.targets.filter((t) => t !== 'direct');
  const st = (id: TargetId, l: number) => r.figures.stream[id]?.[l];
  const rt = (id: TargetId, l: number) => r.ratios.stream[id]?.[l];
  const m = r.machine;
  const out: string[] = [];
  const say = (...lines: string[]) => out.push(...lines);

  say(
    `# Streaming capacity ${r.date.slice(0, 10)}`,
    '',
    `- machine: ${m.hostname}, ${m.cores} x ${m.cpuModel}, ${m.memoryGiB.toFixed(1)} GiB, ${m.os}; 1-minute load average ${m.loadAverage.before.toFixed(1)} before the run, ${m.loadAverage.after.toFixed(1)} after (the machine is shared)`,
    `- Node ${r.node}, ${r.postgres}; our server at commit ${r.commit}; run at ${r.date}, took ${(r.durationS / 60).toFixed(1)} min`,
    `- upstream: the fake OpenAI upstream, first token after ${s.pace.firstTokenMs} ms, then ${s.pace.chunks} chunks ${s.pace.chunkGapMs} ms apart (usage chunk when asked); everything on 127.0.0.1, each server in its own process`,
    `- rounds: ${s.rounds} (after a warm-up of every target), levels ${levels.join(', ')} concurrent streams, each stream read back to back by ${levels.map((l) => `${s.perWorker[l]} at ${l}`).join(', ')} per worker; targets in an order rotated per round`,
    `- our server: \`node --import tsx server/src/main.ts\`, NODE_ENV=production, WORKERS=1, PostgreSQL (a fresh database in pg_virtualenv's cluster), API-key and JWT auth, rate limits (counters in PostgreSQL), token reservations and metering, LOG_LEVEL=info to /dev/null; ${s.users} users with one API key each; the tier's limits set far above the run's use (still checked on every call)`,
    `- Portkey: @portkey-ai/gateway 1.15.2 (build/start-server.js --headless), OpenAI provider with x-portkey-custom-host = the fake upstream. It ran with \`${s.portkeyShim}\` preloaded (\`node --import\`): on Node, Portkey fails every streamed reply with "TypeError: immutable" (it adds headers to fetch's Response, whose headers undici makes immutable); the shim re-makes each response as \`new Response(body, {status, statusText, headers})\`, the same body stream. bench/streams/loopback-listen.mjs makes it listen on 127.0.0.1 only.`,
    `- the load generator: one process of its own, node:http, one keep-alive Agent per phase whose connections are opened before the phase starts; its busiest phase used ${r.generatorPeakCpuPercent.toFixed(0)}% of a core`,
    `- the rest of the machine: other people's processes kept ${r.othersCores.median.toFixed(2)} cores busy during a measured phase (median; ${r.othersCores.max.toFixed(2)} at most) of the ${m.cores}; each phase's figure is in the JSON (cpuMs.others)`,
    '',
    'Each figure is the median over the rounds, with the range (min–max) of the rounds in parentheses. Ratios divide medians of this run; there is none (–) to a base under 1 ms or 1 KiB, which is within the noise. A stall is a gap of more than ' +
      `${s.stallMs} ms between two pieces of one stream after its first text.`,
    '',
    '## Added time to first token (ms): p50 / p99',
    '',
    `Time from sending the request to the first text, minus the same quantile of the upstream called directly at the same level in the same round. Below each: the ratio to the bare pass-through (pt) and to Portkey (pk), p50 / p99.`,
    '',
    ...head('target'),
    `| upstream, direct (its own TTFT, not added) | ${levels.map((l) => `${cell(st('direct', l)?.ttftP50)} / ${cell(st('direct', l)?.ttftP99)}`).join(' | ')} |`,
    ...rows(gateways, (id, l) => {
      const f = st(id, l);
      if (!f) return '–';
      const q = rt(id, l);
      const ratios =
        id === 'passthrough'
          ? ''
          : `<br>pt ${x(q?.addedP50.passthrough)} / ${x(q?.addedP99.passthrough)}${id === 'portkey' ? '' : ` · pk ${x(q?.addedP50.portkey)} / ${x(q?.addedP99.portkey)}`}`;
      return `${cell(f.addedP50)} / ${cell(f.addedP99)}${ratios}`;
    }),
    '',
    `"N keys" / "N users": one key (user) per concurrent stream, up to the ${s.users} made (at 2,048 streams each serves 4).`,
    '',
    '## CPU time per streamed reply (ms)',
    '',
    `The gateway's process (user + system, /proc/<pid>/stat, its children included) over the phase, divided by the replies completed in it; for ours, the PostgreSQL processes' CPU besides (+ pg). Below: the ratio to the pass-through and to Portkey.`,
    '',
    ...head('target'),
    ...rows(gateways, (id, l) => {
      const f = st(id, l);
      if (!f) return '–';
      const q = rt(id, l)?.cpuPerReplyMs;
      const pg = isOurs(id) && f.postgresCpuPerReplyMs ? ` + pg ${cell(f.postgresCpuPerReplyMs, 2)}` : '';
      return `${cell(f.cpuPerReplyMs, 2)}${pg}${id === 'passthrough' ? '' : `<br>pt ${x(q?.passthrough)}${id === 'portkey' ? '' : ` · pk ${x(q?.portkey)}`}`}`;
    }),
    `| fake upstream (for scale) | ${levels.map((l) => cell(st('direct', l)?.upstreamCpuPerReplyMs, 2)).join(' | ')} |`,
    '',
    '## Resident memory per concurrent stream (KiB)',
    '',
    `(peak VmRSS during the phase − VmRSS before it) / concurrent streams, the gateway's process; below, its RSS before / peak (MiB).`,
    '',
    ...head('target'),
    ...rows(gateways, (id, l) => {
      const f = st(id, l);
      return f ? `${cell(f.rssPerStreamKiB)}<br>${cell(f.rssIdleMiB, 0)} / ${cell(f.rssPeakMiB, 0)} MiB` : '–';
    }),
    '',
    '## Completed, stalled, wall time',
    '',
    'Streams complete / offered over all rounds, streams that stalled, the longest gap (ms), and the wall time of the phase (s).',
    '',
    ...head('target'),
    ...rows(s.targets, (id, l) => {
      const f = st(id, l);
      return f
        ? `${f.completed}/${f.offered}, ${f.stalls} stalled, gap ${fmt(f.maxGapMs, 0)}<br>${cell(f.wallMs && { ...f.wallMs, median: f.wallMs.median / 1000, min: f.wallMs.min / 1000, max: f.wallMs.max / 1000 }, 2)} s`
        : '–';
    }),
    '',
    '## Errors: how the requests that did not complete ended',
    '',
    ...head('target'),
    ...rows(s.targets, (id, l) => {
      const f = st(id, l);
      if (!f) return '–';
      const bad = Object.entries(f.outcomes).filter(([k]) => k !== '200 complete');
      return bad.length ? bad.map(([k, n]) => `${n} ${k}`).join('<br>') : 'none';
    }),
  );

  say('', `## Non-streaming /v1 (\`stream: false\`), ${s.json.concurrency} concurrent for ${s.json.durationMs / 1000} s`, '');
  say(
    'The upstream answers a whole chat.completion at once; every gateway, ours included, asks it for one (`stream: false`). Ratios: req/s to the pass-through (pt) and to Portkey (pk).',
    '',
    '| target | req/s | pt | pk | latency p50 / p99 ms | CPU per reply ms | not complete |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const [id, f] of Object.entries(r.figures.json) as [TargetId, JsonFigures][]) {
    const q = r.ratios.json[id];
    const bad =
      Object.entries(f.outcomes)
        .filter(([k]) => k !== '200 complete')
        .map(([k, n]) => `${n} ${k}`)
        .join(', ') || 'none';
    const pg = isOurs(id) && f.postgresCpuPerReplyMs ? ` + pg ${cell(f.postgresCpuPerReplyMs, 2)}` : '';
    say(
      `| ${label(id, s.json.concurrency)} | ${cell(f.requestsPerSecond, 0)} | ${x(q?.passthrough)} | ${x(q?.portkey)} | ${cell(f.latencyP50)} / ${cell(f.latencyP99)} | ${cell(f.cpuPerReplyMs, 2)}${pg} | ${bad} |`,
    );
  }

  say('', `## Past capacity: MAX_CONCURRENT_STREAMS=${s.capacity.maxConcurrentStreams}, ${s.capacity.offered} streams offered at once`, '');
  say('| target | outcomes | TTFT p50 / p99 ms | wall s |', '| --- | --- | ---: | ---: |');
  for (const p of r.figures.capacity) {
    const outcomes = Object.entries(p.outcomes)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    say(`| ${label(p.target, p.level)} | ${outcomes} | ${p.ttftMs ? `${fmt(p.ttftMs.p50)} / ${fmt(p.ttftMs.p99)}` : '–'} | ${fmt(p.wallMs / 1000, 2)} |`);
  }

  const met = r.targets.filter((c) => c.met).length;
  say('', `## Targets: ${met} met, ${r.targets.length - met} missed`, '');
  say(
    "Checked in every round against the same round's figures; met only if met in every round and, for a figure of ours, only if every one of our requests in those phases completed (a fast failure is no success); measured = the worst round (ratios, or the value named).",
    '',
  );
  say('| target | measured | | detail |', '| --- | ---: | --- | --- |');
  for (const c of r.targets) say(`| ${c.target} | ${c.measured ?? '–'} | ${c.met ? 'met' : '**missed**'} | ${c.detail} |`);
  return out;
}
