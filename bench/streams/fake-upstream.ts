// The fake OpenAI upstream, in a process of its own: POST /v1/chat/completions answers like
// OpenAI's Chat Completions, byte for byte in shape: with "stream": true, chat.completion.chunk
// events (the role chunk with the first word, one word per chunk, a finish chunk, a usage chunk
// when stream_options.include_usage asks, then [DONE]); without it, one chat.completion. The pace
// comes from BENCH_PACE (JSON Pacing) unless the last message carries a paceTag. Forked by
// main.ts, it sends {port} once it listens.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { replyText, type Pacing } from './protocol.js';

const defaults = JSON.parse(process.env.BENCH_PACE ?? '{"firstTokenMs":50,"chunks":64,"chunkGapMs":20}') as Pacing;

interface CompletionBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: { role: string; content: unknown }[];
}

function pacingOf(body: CompletionBody): Pacing {
  const last = body.messages?.at(-1)?.content;
  const m = typeof last === 'string' ? /\[pace first=(\d+) chunks=(\d+) gap=(\d+)\]/.exec(last) : null;
  return m ? { firstTokenMs: Number(m[1]), chunks: Number(m[2]), chunkGapMs: Number(m[3]) } : defaults;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

const usageOf = (body: CompletionBody, chunks: number) => {
  const prompt = 7 * (body.messages?.length ?? 1);
  return { prompt_tokens: prompt, completion_tokens: chunks, total_tokens: prompt + chunks };
};

function stream(res: ServerResponse, body: CompletionBody, pace: Pacing) {
  const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
  const includeUsage = body.stream_options?.include_usage === true;
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},"model":${JSON.stringify(body.model ?? 'unknown')},"system_fingerprint":"fp_bench","choices":[{"index":0,"delta":`;
  const tail = `,"logprobs":null,"finish_reason":null}]${includeUsage ? ',"usage":null' : ''}}\n\n`;
  const chunk = (delta: string) => `data: ${head}${delta}${tail}`;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  let i = 0;
  // One write per chunk, as a provider sends them; with no gap, all of them at once (a timer
  // would add its 1 ms minimum per chunk).
  const next = () => {
    if (res.destroyed) return;
    let out = '';
    do {
      if (i === 0) out += chunk('{"role":"assistant","content":"","refusal":null}');
      out += chunk(`{"content":"w${i} "}`);
      i += 1;
    } while (pace.chunkGapMs === 0 && i < pace.chunks);
    if (i < pace.chunks) {
      res.write(out);
      setTimeout(next, pace.chunkGapMs);
      return;
    }
    out += `data: ${head}{},"logprobs":null,"finish_reason":"stop"}]${includeUsage ? ',"usage":null' : ''}}\n\n`;
    if (includeUsage) {
      out += `data: {"id":"${id}","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},"model":${JSON.stringify(body.model ?? 'unknown')},"system_fingerprint":"fp_bench","choices":[],"usage":${JSON.stringify(usageOf(body, pace.chunks))}}\n\n`;
    }
    res.end(`${out}data: [DONE]\n\n`);
  };
  if (pace.chunks === 0) res.end('data: [DONE]\n\n');
  else setTimeout(next, pace.firstTokenMs);
}

function complete(res: ServerResponse, body: CompletionBody, pace: Pacing) {
  setTimeout(
    () => {
      if (res.destroyed) return;
      const completion = {
        id: `chatcmpl-${randomBytes(12).toString('hex')}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model ?? 'unknown',
        system_fingerprint: 'fp_bench',
        choices: [{ index: 0, message: { role: 'assistant', content: replyText(pace.chunks), refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: usageOf(body, pace.chunks),
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(completion));
    },
    pace.firstTokenMs + pace.chunks * pace.chunkGapMs,
  );
}

const server = createServer(async (req, res) => {
  const raw = await readBody(req).catch(() => '');
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');
    return;
  }
  let body: CompletionBody;
  try {
    body = JSON.parse(raw) as CompletionBody;
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"bad json","type":"invalid_request_error","param":null,"code":null}}');
    return;
  }
  if (body.stream) stream(res, body, pacingOf(body));
  else complete(res, body, pacingOf(body));
});
// Thousands of gateways' connections may arrive in one burst: a backlog that holds them all.
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.send!({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
