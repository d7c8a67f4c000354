// What our server adds to a streamed reply: the fake upstream (OpenAI format) read directly versus
// the same stream through POST /api/chat (real auth, metering and storage on PGlite), side by side
// in one run. Time to first token, throughput of a long reply, and 50 concurrent paced streams with
// the server's memory per stream. The server runs in a child process (streaming-server.ts) so that
// its memory is its own; the fake upstream and the clients run here.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeUpstream, type FakeUpstream } from '../server/test/fake-upstream.js';
import { readSse } from '../server/test/sse.js';
import type { FromServer, ToServer } from './streaming-server.js';

export interface StreamingOptions {
  /** Requests per path for time to first token. */
  ttftRequests: number;
  /** Tokens (words) in the long reply read at full speed. */
  longReplyTokens: number;
  /** Runs per path of the long reply (the median is reported). */
  longReplyRuns: number;
  concurrentStreams: number;
  /** Tokens per concurrent stream, and the upstream's pace for them. */
  concurrentTokens: number;
  concurrentTokenDelayMs: number;
}

export const DEFAULT_STREAMING_OPTIONS: StreamingOptions = {
  ttftRequests: 30,
  longReplyTokens: 4000,
  longReplyRuns: 5,
  concurrentStreams: 50,
  concurrentTokens: 300,
  concurrentTokenDelayMs: 20,
};

type Path = 'direct' | 'server';

interface StreamResult {
  /** ms from sending the request to the first text. */
  ttftMs: number;
  /** ms from the first text to the last. */
  streamMs: number;
  totalMs: number;
  text: string;
  /** The stream ended the normal way (OpenAI finish_reason 'stop' / our 'finish' part). */
  finished: boolean;
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

/** The server child: its replies to our messages arrive in order, one per message. */
function serverProcess(upstream: FakeUpstream) {
  const child: ChildProcess = fork(fileURLToPath(new URL('./streaming-server.ts', import.meta.url)), [], {
    // BENCH_CPU_PROF=<dir> writes a CPU profile of the server there (open it in Chrome's DevTools).
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env: { ...process.env, UPSTREAM_BASE_URL: upstream.baseUrl },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const waiting: ((m: FromServer) => void)[] = [];
  let onReady!: (m: Extract<FromServer, { type: 'ready' }>) => void;
  const ready = new Promise<Extract<FromServer, { type: 'ready' }>>((resolve, reject) => {
    onReady = resolve;
    child.once('exit', (code) => reject(new Error(`benchmark server exited (${code}) before it was ready`)));
  });
  child.on('message', (m: FromServer) => (m.type === 'ready' ? onReady(m) : waiting.shift()?.(m)));
  function ask<T extends FromServer['type']>(cmd: ToServer['cmd'] & T): Promise<Extract<FromServer, { type: T }>> {
    return new Promise((resolve) => {
      waiting.push(resolve as (m: FromServer) => void);
      child.send({ cmd } satisfies ToServer);
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    ready,
    ask,
    async stop() {
      child.send({ cmd: 'stop' } satisfies ToServer);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function benchStreaming(options: StreamingOptions = DEFAULT_STREAMING_OPTIONS) {
  const upstream = await startFakeUpstream();
  const server = serverProcess(upstream);
  try {
    const { url, token } = await server.ready;

    /** Sends one chat request by the given path and reads the stream to its end. */
    async function stream(path: Path, content = 'Hello'): Promise<StreamResult> {
      const started = performance.now();
      const res =
        path === 'direct'
          ? await fetch(`${upstream.baseUrl}/chat/completions`, {
              method: 'POST',
              headers: { authorization: 'Bearer sk-bench', 'content-type': 'application/json' },
              body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content }] }),
            })
          : await fetch(`${url}/api/chat`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ model: 'gpt-4o-mini', content }),
            });
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
      let first = 0;
      let last = 0;
      let text = '';
      let finished = false;
      for await (const part of readSse(res)) {
        const delta: string | undefined = path === 'direct' ? part.choices?.[0]?.delta?.content : part.type === 'text-delta' ? part.delta : undefined;
        if (delta) {
          last = performance.now();
          first ||= last;
          text += delta;
        }
        if (path === 'direct' ? part.choices?.[0]?.finish_reason === 'stop' : part.type === 'finish') finished = true;
      }
      const end = performance.now();
      return { ttftMs: first - started, streamMs: last - first, totalMs: end - started, text, finished };
    }

    // Warm-up: code paths compiled, connections open, the database's caches filled.
    for (let i = 0; i < 5; i++) {
      await stream('direct');
      await stream('server');
    }
    let serverCalls = 5;

    // Concurrency first, while the server's heap has not yet been grown by the long replies.
    const pacedText = words(options.concurrentTokens);
    upstream.reset({ text: pacedText, tokenDelayMs: options.concurrentTokenDelayMs });
    const concurrent = async (path: Path) => {
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: options.concurrentStreams }, () => stream(path, 'Write a lot').catch(() => undefined)));
      const wallMs = performance.now() - started;
      const completed = results.filter((r) => r?.finished && r.text === pacedText);
      const firstTokens = completed.map((r) => r!.ttftMs);
      return {
        wallMs,
        completed: completed.length,
        tokensPerSecond: (completed.length * options.concurrentTokens) / (wallMs / 1000),
        ttftMedian: median(firstTokens),
        ttftMax: Math.max(...firstTokens),
      };
    };
    const before = await server.ask('baseline');
    const throughServer = await concurrent('server');
    const peak = await server.ask('peak');
    serverCalls += options.concurrentStreams;
    const directConcurrent = await concurrent('direct');

    // Time to first token: a short reply, the two paths taking turns so that drift hits both.
    upstream.reset();
    const ttft: Record<Path, number[]> = { direct: [], server: [] };
    for (let i = 0; i < options.ttftRequests; i++) {
      for (const path of ['direct', 'server'] as const) ttft[path].push((await stream(path)).ttftMs);
    }
    serverCalls += options.ttftRequests;

    // Throughput of a long reply with the upstream sending as fast as it can.
    const longText = words(options.longReplyTokens);
    upstream.reset({ text: longText, tokenDelayMs: 0 });
    const rates: Record<Path, number[]> = { direct: [], server: [] };
    const longComplete: Record<Path, number> = { direct: 0, server: 0 };
    for (let i = 0; i < options.longReplyRuns; i++) {
      for (const path of ['direct', 'server'] as const) {
        const r = await stream(path, 'Write a lot');
        rates[path].push(options.longReplyTokens / (r.streamMs / 1000));
        if (r.finished && r.text === longText) longComplete[path] += 1;
      }
    }
    serverCalls += options.longReplyRuns;

    // What the server stored: every reply final, one usage record per call, nothing reserved.
    let stats = await server.ask('stats');
    for (let i = 0; i < 50 && stats.replies.streaming; i++) {
      await new Promise((r) => setTimeout(r, 100));
      stats = await server.ask('stats');
    }

    return {
      options,
      ttft: { direct: summary(ttft.direct), server: summary(ttft.server) },
      throughput: { direct: median(rates.direct), server: median(rates.server), complete: longComplete },
      concurrency: {
        direct: directConcurrent,
        server: throughServer,
        rssBefore: before.rss,
        rssPeak: peak.rss,
        serverCpuPercent: peak.cpuPercent,
        rssGrowthPerStream: (peak.rss - before.rss) / options.concurrentStreams,
        heapGrowthPerStream: (peak.heapUsed - before.heapUsed) / options.concurrentStreams,
      },
      stored: { ...stats, serverCalls },
    };
  } finally {
    await server.stop();
    await upstream.close();
  }
}

function median(xs: number[]) {
  return quantile(xs, 0.5);
}

/** Nearest-rank quantile. */
function quantile(xs: number[], q: number) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

function summary(xs: number[]) {
  return { median: median(xs), p95: quantile(xs, 0.95) };
}

export type StreamingResults = Awaited<ReturnType<typeof benchStreaming>>;

/** The results as markdown: two tables and a line on each column. */
export function streamingReport(r: StreamingResults): string[] {
  const ms = (x: number) => x.toFixed(1);
  const ratio = (server: number, direct: number) => (server / direct).toFixed(2);
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const kib = (bytes: number) => (bytes / 1024).toFixed(0);
  const { ttft, throughput: tp, concurrency: c, options: o, stored: s } = r;
  return [
    `## Streaming: the fake upstream read directly vs through POST /api/chat`,
    '',
    `OpenAI wire format; the server on PGlite with the real metering and log level info, in a process of its own.`,
    '',
    '| path | first token, median ms | first token, p95 ms | long reply, tokens/s |',
    '| --- | ---: | ---: | ---: |',
    `| direct | ${ms(ttft.direct.median)} | ${ms(ttft.direct.p95)} | ${tp.direct.toFixed(0)} |`,
    `| through server | ${ms(ttft.server.median)} | ${ms(ttft.server.p95)} | ${tp.server.toFixed(0)} |`,
    `| server / direct | ${ratio(ttft.server.median, ttft.direct.median)} | ${ratio(ttft.server.p95, ttft.direct.p95)} | ${ratio(tp.server, tp.direct)} |`,
    '',
    `- path: \`direct\` is a client reading the fake upstream itself; \`through server\` is the same reply via POST /api/chat; \`server / direct\` divides the two (time: above 1 is slower; tokens/s: below 1 is slower).`,
    `- first token, median / p95 ms: from sending the request to the first text received, over ${o.ttftRequests} sequential requests per path (a 12-token reply, no upstream delay).`,
    `- long reply, tokens/s: ${o.longReplyTokens} tokens sent by the upstream with tokenDelayMs 0, divided by the time from the first to the last text received; median of ${o.longReplyRuns} runs (complete: direct ${tp.complete.direct}/${o.longReplyRuns}, server ${tp.complete.server}/${o.longReplyRuns}).`,
    '',
    `### ${o.concurrentStreams} concurrent streams of ${o.concurrentTokens} tokens, one every ${o.concurrentTokenDelayMs} ms`,
    '',
    '| path | completed | wall s | first token, median / max ms | tokens/s, all streams | server CPU % | server RSS before / peak MiB | RSS growth per stream KiB | heap growth per stream KiB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| direct | ${c.direct.completed}/${o.concurrentStreams} | ${(c.direct.wallMs / 1000).toFixed(2)} | ${ms(c.direct.ttftMedian)} / ${ms(c.direct.ttftMax)} | ${c.direct.tokensPerSecond.toFixed(0)} | | | | |`,
    `| through server | ${c.server.completed}/${o.concurrentStreams} | ${(c.server.wallMs / 1000).toFixed(2)} | ${ms(c.server.ttftMedian)} / ${ms(c.server.ttftMax)} | ${c.server.tokensPerSecond.toFixed(0)} | ${c.serverCpuPercent.toFixed(0)} | ${mib(c.rssBefore)} / ${mib(c.rssPeak)} | ${kib(c.rssGrowthPerStream)} | ${kib(c.heapGrowthPerStream)} |`,
    '',
    `- completed: streams that ended normally with the whole text; wall s: from starting all of them to the last one's end (the pace alone takes ${((o.concurrentTokens * o.concurrentTokenDelayMs) / 1000).toFixed(1)} s).`,
    `- first token, median / max ms: over the streams, from sending the request to its first text; all ${o.concurrentStreams} requests are sent at once.`,
    `- tokens/s, all streams: tokens received by all the completed streams per second of wall time.`,
    `- server CPU %: the server process's CPU time (user + system) over the wall time of the run; 100 is one core.`,
    `- server RSS before / peak MiB: the server process's resident memory after a forced GC just before the streams start (most of it the embedded PGlite's WebAssembly memory), and the highest of its samples every 10 ms while they run.`,
    `- RSS / heap growth per stream: (peak - before) / ${o.concurrentStreams}, resident set and V8 heap in use; garbage not yet collected counts, so this is an upper bound.`,
    `- stored by the server after the run: ${s.serverCalls} calls made, replies ${JSON.stringify(s.replies)}, ${s.usageRecords} usage records, ${s.reserved} reservations left, monthly total ${s.monthlyMatchesRecords ? 'equals' : 'DIFFERS FROM'} the records' sum.`,
  ];
}
