// The load's HTTP client: one request to one server process, read the way a real client reads it
// (an SSE stream event by event, to abort it midway), with what the server promised checked on
// the spot: no 500, every error in its shape (problem+json under /api, OpenAI's under /v1), no
// stream that stops without its end unless the process serving it was killed or we left.
import type { Slot } from './cluster.js';
import type { Ledger } from './ledger.js';

/** Longest a request may take before it counts as hung. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface Call {
  ledger: Ledger;
  slot: Slot;
  /** For the ledger and the latency report: "chat", "v1-stream", "rename"... */
  kind: string;
  method: string;
  path: string;
  token?: string;
  body?: unknown;
  /** Leave after this many pieces of text (a closed tab, a killed script)... */
  abortAfterPieces?: number;
  /** ...or after this long, wherever the request is then. */
  abortAfterMs?: number;
}

export interface CallResult {
  /** 'network': no response (refused, reset, or we left before the headers). */
  status: number | 'network';
  json?: Record<string, unknown>;
  /** The Retry-After header, when the answer had one. */
  retryAfter?: string;
  /** The data of each SSE event, '[DONE]' included. */
  events: string[];
  /** The stream ended with its terminal event ([DONE], or an error event then the end under /v1). */
  ended: boolean;
  abortedByUs: boolean;
  /** The process serving it was killed meanwhile. */
  crashed: boolean;
  /** We left, or the process was killed: the outcome is unknown to the client. */
  lost: boolean;
}

const isApi = (path: string) => path.startsWith('/v1/');

function checkErrorShape(c: Call, status: number, contentType: string, json: Record<string, unknown> | undefined) {
  const where = `${c.method} ${c.path} (${c.kind}) answered ${status}`;
  if (status === 500 || status >= 505 || status === 501) c.ledger.problem(`${where}: ${JSON.stringify(json)}`);
  if (isApi(c.path)) {
    const error = json?.error as { message?: unknown; type?: unknown } | undefined;
    if (typeof error?.message !== 'string' || typeof error.type !== 'string') c.ledger.problem(`${where} not in OpenAI's error shape: ${JSON.stringify(json)}`);
  } else if (!contentType.startsWith('application/problem+json') || json?.status !== status || typeof json.code !== 'string') {
    c.ledger.problem(`${where} not as problem+json: ${contentType} ${JSON.stringify(json)}`);
  }
}

/** The data lines of SSE events as they arrive, '[DONE]' included. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer
        .slice(0, end)
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      buffer = buffer.slice(end + 2);
      if (data) yield data;
    }
  }
}

/** Whether a piece of text is in this event (UI message stream or chat.completion.chunk). */
function hasText(data: string): boolean {
  return data.startsWith('{"type":"text-delta"') || data.includes('"delta":{"content":');
}

export async function call(c: Call): Promise<CallResult> {
  const { ledger, slot } = c;
  const generation = slot.generation;
  const url = slot.server?.url;
  const result: CallResult = { status: 'network', events: [], ended: false, abortedByUs: false, crashed: false, lost: false };
  if (!url) return { ...result, crashed: true, lost: true };
  const controller = new AbortController();
  const leave = () => {
    result.abortedByUs = true;
    controller.abort();
  };
  const abortTimer = c.abortAfterMs !== undefined ? setTimeout(leave, c.abortAfterMs) : undefined;
  const hung = setTimeout(() => {
    ledger.problem(`${c.method} ${c.path} (${c.kind}) got no complete answer in ${REQUEST_TIMEOUT_MS} ms`);
    controller.abort();
  }, REQUEST_TIMEOUT_MS);
  const startedAt = performance.now();
  let firstTextMs: number | undefined;
  let headersMs = 0;
  let streaming = false;
  try {
    const res = await fetch(`${url}${c.path}`, {
      method: c.method,
      headers: {
        ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(c.token ? { authorization: `Bearer ${c.token}` } : {}),
      },
      body: c.body !== undefined ? JSON.stringify(c.body) : undefined,
      signal: controller.signal,
    });
    headersMs = performance.now() - startedAt;
    result.status = res.status;
    result.retryAfter = res.headers.get('retry-after') ?? undefined;
    const contentType = res.headers.get('content-type') ?? '';
    if (res.ok && contentType.startsWith('text/event-stream') && res.body) {
      streaming = true;
      let pieces = 0;
      for await (const data of sseData(res.body)) {
        result.events.push(data);
        if (hasText(data)) {
          firstTextMs ??= performance.now() - startedAt;
          pieces += 1;
          if (c.abortAfterPieces !== undefined && pieces >= c.abortAfterPieces) leave();
        }
      }
      const last = result.events.at(-1);
      result.ended = last === '[DONE]' || (isApi(c.path) && last?.startsWith('{"error"') === true);
    } else {
      const raw = await res.text();
      try {
        result.json = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      } catch {
        ledger.problem(`${c.method} ${c.path} (${c.kind}) answered ${res.status} with a body that is not JSON: ${raw.slice(0, 200)}`);
      }
      if (!res.ok) checkErrorShape(c, res.status, contentType, result.json);
    }
  } catch {
    // Aborted by us, or the connection broke: told apart below.
  } finally {
    clearTimeout(abortTimer);
    clearTimeout(hung);
  }
  result.crashed = slot.generation !== generation;
  result.lost = result.abortedByUs || result.crashed;
  ledger.count(c.kind, result.status);
  if (result.status !== 'network') ledger.latencies.push({ kind: c.kind, ms: headersMs, firstTextMs, at: Date.now() });
  if (!result.lost) {
    if (result.status === 'network') ledger.problem(`${c.method} ${c.path} (${c.kind}): the connection failed though the process was up`);
    else if (streaming && !result.ended) ledger.problem(`${c.method} ${c.path} (${c.kind}): the stream was cut after ${result.events.length} events`);
  }
  return result;
}

/** The JSON objects among a stream's events. */
export function parsedEvents(events: string[]): Record<string, unknown>[] {
  return events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e) as Record<string, unknown>);
}
