// One line per minute of load (and one at the end of a short run): each server process's memory
// and open handles from its /metrics (prom-client's process metrics), and the latency percentiles
// of the requests that finished in that minute, so a leak shows as a slope over a long soak.
import type { Cluster } from './cluster.js';
import type { Latency, Ledger } from './ledger.js';

function metric(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : undefined;
}

async function processLine(cluster: Cluster): Promise<string> {
  const parts = await Promise.all(
    cluster.slots.map(async (slot) => {
      if (!slot.server) return `#${slot.index} down`;
      try {
        const text = await (await fetch(`${slot.server.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
        const rss = metric(text, 'process_resident_memory_bytes');
        const heap = metric(text, 'nodejs_heap_size_used_bytes');
        const fds = metric(text, 'process_open_fds');
        const handles = metric(text, 'nodejs_active_handles_total');
        const mb = (n: number | undefined) => (n === undefined ? '?' : (n / 2 ** 20).toFixed(0));
        return `#${slot.index}(life ${slot.generation}) rss ${mb(rss)} MB heap ${mb(heap)} MB fds ${fds ?? '?'} handles ${handles ?? '?'}`;
      } catch {
        return `#${slot.index} no /metrics`;
      }
    }),
  );
  return parts.join(' | ');
}

function percentiles(values: number[]): string {
  if (!values.length) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(0);
  return `p50 ${at(0.5)} p95 ${at(0.95)} p99 ${at(0.99)} ms (n=${values.length})`;
}

function latencyLine(latencies: Latency[]): string {
  const model = latencies.filter((l) => l.firstTextMs !== undefined).map((l) => l.firstTextMs!);
  const other = latencies.filter((l) => !l.kind.startsWith('chat') && !l.kind.startsWith('v1')).map((l) => l.ms);
  return `first text ${percentiles(model)}; other requests ${percentiles(other)}`;
}

/** Prints the line for the requests since the last report, and forgets them. */
export async function reportMinute(label: string, cluster: Cluster, ledger: Ledger): Promise<string> {
  const latencies = ledger.latencies.splice(0);
  const line = `[load ${label}] requests ${ledger.requests}; ${latencyLine(latencies)}; ${await processLine(cluster)}`;
  console.log(line);
  return line;
}
