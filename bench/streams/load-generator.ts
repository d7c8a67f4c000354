// The load generator, in a process of its own (forked by main.ts), identical for every target:
// node:http with one keep-alive Agent per phase, the reply read with sse-scan (no JSON parsing).
// For each phase the orchestrator sends 'prepare' (the connections are opened then, a batch at
// a time, so that a burst of thousands of connects does not overflow a server's listen backlog
// and turn into 1 s SYN retries that no client of a real gateway would see), then 'go'.
import { Agent, request, type ClientRequestArgs } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FromGenerator, PhaseOutcome, PhaseSpec, StreamRecord, ToGenerator } from './protocol.js';
import { scanText } from './sse-scan.js';

const CONNECT_BATCH = 128;

/** A keep-alive Agent that hands out connections opened beforehand, then opens new ones as usual. */
class PreopenedAgent extends Agent {
  private spare: Socket[] = [];

  async preopen(host: string, port: number, count: number) {
    let failed = 0;
    for (let done = 0; done < count; done += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - done) }, () => this.openOne(host, port));
      failed += (await Promise.all(batch)).filter((ok) => !ok).length;
    }
    return { opened: count - failed, failed };
  }

  private openOne(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        this.spare.push(socket);
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
  }

  override createConnection(options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    for (let socket = this.spare.pop(); socket; socket = this.spare.pop()) {
      if (!socket.destroyed) return socket;
    }
    return super.createConnection(options, callback);
  }

  override destroy() {
    for (const socket of this.spare) socket.destroy();
    this.spare = [];
    super.destroy();
  }
}

function headersFor(spec: PhaseSpec, worker: number): Record<string, string> {
  const headers: Record<string, string> = { ...spec.headers, 'content-length': String(Buffer.byteLength(spec.body)) };
  if (spec.auth.length) headers.authorization = spec.auth[worker % spec.auth.length]!;
  return headers;
}

/** Sends one request and reads its answer to the end; never rejects. */
function oneRequest(agent: Agent, spec: PhaseSpec, worker: number): Promise<StreamRecord> {
  return new Promise((resolve) => {
    const started = performance.now();
    const record: StreamRecord = { status: 0, retryAfter: false, ttftMs: null, maxGapMs: 0, totalMs: 0, textLength: 0, finished: false, complete: false };
    let settled = false;
    const settle = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      record.totalMs = performance.now() - started;
      if (error) record.error = error;
      record.complete = !error && record.status === 200 && record.finished && record.textLength === spec.expectedTextLength;
      resolve(record);
    };
    const req = request({ host: spec.host, port: spec.port, path: spec.path, method: 'POST', agent, headers: headersFor(spec, worker) }, (res) => {
      record.status = res.statusCode ?? 0;
      record.retryAfter = res.headers['retry-after'] !== undefined;
      res.setEncoding('utf8');
      let pending = '';
      let last = 0;
      res.on('data', (piece: string) => {
        const now = performance.now();
        if (record.ttftMs !== null) record.maxGapMs = Math.max(record.maxGapMs, now - last);
        last = now;
        pending += piece;
        // Only whole events are scanned: a text field may be split between two pieces.
        const cut = spec.kind === 'json' ? -1 : pending.lastIndexOf('\n\n');
        if (cut === -1) return;
        const { text, finished } = scanText(pending.slice(0, cut), spec.format);
        pending = pending.slice(cut + 2);
        if (text > 0 && record.ttftMs === null) record.ttftMs = now - started;
        record.textLength += text;
        record.finished ||= finished;
      });
      res.on('end', () => {
        if (pending) {
          const { text, finished } = scanText(pending, spec.format);
          if (text > 0 && record.ttftMs === null) record.ttftMs = performance.now() - started;
          record.textLength += text;
          record.finished ||= finished;
        }
        settle();
      });
      res.on('close', () => settle(res.complete ? undefined : 'cut'));
      res.on('error', () => settle('cut'));
    });
    const timer = setTimeout(() => {
      req.destroy();
      settle('timeout');
    }, spec.streamTimeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? err.message));
    req.end(spec.body);
  });
}

let prepared: { spec: PhaseSpec; agent: PreopenedAgent } | undefined;

async function go(): Promise<PhaseOutcome> {
  const { spec, agent } = prepared!;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + spec.durationMs;
  const records: StreamRecord[] = [];
  const worker = async (i: number) => {
    if (spec.kind === 'stream') {
      for (let n = 0; n < spec.perWorker; n++) records.push(await oneRequest(agent, spec, i));
    } else {
      while (performance.now() < deadline) records.push(await oneRequest(agent, spec, i));
    }
  };
  await Promise.all(Array.from({ length: spec.level }, (_, i) => worker(i)));
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  prepared = undefined;
  return { records, wallMs, generatorCpuMs: (used.user + used.system) / 1000 };
}

const send = (m: FromGenerator) => process.send!(m);

process.on('message', async (m: ToGenerator) => {
  if (m.type === 'prepare') {
    const agent = new PreopenedAgent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: Math.max(256, m.spec.level) });
    prepared = { spec: m.spec, agent };
    send({ type: 'prepared', ...(await agent.preopen(m.spec.host, m.spec.port, m.spec.level)) });
  } else if (m.type === 'go') {
    send({ type: 'done', outcome: await go() });
  } else {
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
