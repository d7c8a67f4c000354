// A real HTTP server, in the test process, that answers like the OpenAI Chat Completions and the
// Anthropic Messages streaming APIs, byte for byte (usage included), so the real AI SDK provider
// adapters are exercised end to end. A test sets a scenario (reply, latency, token rate, failure
// after N tokens, HTTP error) and reads back what each request carried and whether it was aborted.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UpstreamScenario {
  /** The reply; streamed one word (with its trailing space) per token. */
  text: string;
  firstTokenDelayMs: number;
  tokenDelayMs: number;
  /** Destroy the connection after this many tokens (a broken upstream). */
  failAfterTokens?: number;
  /** Stop sending, connection open, after this many tokens (a stalled upstream). */
  stallAfterTokens?: number;
  /** Close the connection on arrival, before any response: a provider that cannot be reached. */
  dropConnection?: boolean;
  /** Answer with this HTTP status and the provider's error body instead of a stream. */
  status?: number;
  /** The message inside that error body: tests check it never reaches a client. */
  errorMessage: string;
  /** Usage the provider reports; by default input = 7 per message, output = tokens sent. */
  usage?: { inputTokens: number; outputTokens: number };
}

export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  tokensSent: number;
  /** The client closed the connection before the reply was complete. */
  aborted: boolean;
  completed: boolean;
  /** Resolves when the connection of this request has closed, for whatever reason. */
  closed: Promise<void>;
}

export interface FakeUpstream {
  /** e.g. http://127.0.0.1:port/v1 : the base URL for OpenAI, Anthropic and OpenAI-compatible. */
  baseUrl: string;
  requests: RecordedRequest[];
  scenario: UpstreamScenario;
  /** Replaces the scenario (unset fields take their defaults), ends a mix (vary) and forgets recorded requests. */
  reset(scenario?: Partial<UpstreamScenario>): void;
  /**
   * From now on each request gets the scenario with pick's fields over it, pick seeing the request
   * (body read): a mix of fates at once, e.g. one call in five breaks off. Undefined ends the mix.
   */
  vary(pick: ((request: RecordedRequest) => Partial<UpstreamScenario>) | undefined): void;
  /** Forgets the requests recorded so far (a long run keeps no history). */
  forgetRequests(): void;
  close(): Promise<void>;
}

export const DEFAULT_SCENARIO: UpstreamScenario = {
  text: 'Hello from the fake upstream. This reply came over a real HTTP stream.',
  firstTokenDelayMs: 0,
  tokenDelayMs: 0,
  errorMessage: 'upstream-secret-detail: invalid key sk-live-DO-NOT-LEAK',
};

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** A delay of 0 only yields to the event loop: a timer would add its 1 ms minimum per token. */
const pause = (ms: number) => (ms > 0 ? sleep(ms) : new Promise<void>((r) => setImmediate(r)));

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

interface StreamArgs {
  res: ServerResponse;
  record: RecordedRequest;
  scenario: UpstreamScenario;
}

const tokensOf = (text: string) => text.match(/\S+\s*|\s+/g) ?? [];
const sse = (res: ServerResponse, data: unknown, event?: string) =>
  res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);

/** Sends the scenario's tokens at its pace; says how the stream ended. */
async function sendTokens({ res, record, scenario }: StreamArgs, cap: number, write: (token: string) => void) {
  await pause(scenario.firstTokenDelayMs);
  const tokens = tokensOf(scenario.text);
  for (let i = 0; i < tokens.length; i++) {
    if (i > 0) await pause(scenario.tokenDelayMs);
    if (res.destroyed) return 'closed';
    if (scenario.failAfterTokens !== undefined && record.tokensSent >= scenario.failAfterTokens) {
      res.destroy();
      return 'failed';
    }
    if (scenario.stallAfterTokens !== undefined && record.tokensSent >= scenario.stallAfterTokens) {
      await record.closed;
      return 'closed';
    }
    if (record.tokensSent >= cap) return 'length';
    write(tokens[i]!);
    record.tokensSent += 1;
  }
  return 'stop';
}

function usageOf(scenario: UpstreamScenario, record: RecordedRequest) {
  const messages = Array.isArray(record.body.messages) ? record.body.messages.length : 0;
  return scenario.usage ?? { inputTokens: 7 * (messages + (record.body.system ? 1 : 0)), outputTokens: record.tokensSent };
}

/** OpenAI Chat Completions streaming: chat.completion.chunk lines, a usage chunk when asked, [DONE]. */
async function writeOpenAiStream(args: StreamArgs) {
  const { res, record } = args;
  const body = record.body as { model?: string; max_tokens?: number; max_completion_tokens?: number; stream_options?: { include_usage?: boolean } };
  const includeUsage = body.stream_options?.include_usage === true;
  const base = {
    id: `chatcmpl-${randomBytes(12).toString('hex')}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? 'unknown',
    service_tier: 'default',
    system_fingerprint: 'fp_fake0001',
  };
  const chunk = (delta: object, finish: string | null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  let opened = false;
  const open = () => {
    if (!opened) sse(res, chunk({ role: 'assistant', content: '', refusal: null }, null));
    opened = true;
  };
  const ended = await sendTokens(args, body.max_completion_tokens ?? body.max_tokens ?? Infinity, (token) => {
    open();
    sse(res, chunk({ content: token }, null));
  });
  if (ended === 'closed' || ended === 'failed') return;
  open();
  sse(res, chunk({}, ended === 'length' ? 'length' : 'stop'));
  if (includeUsage) {
    const u = usageOf(args.scenario, record);
    sse(res, {
      ...base,
      choices: [],
      usage: {
        prompt_tokens: u.inputTokens,
        completion_tokens: u.outputTokens,
        total_tokens: u.inputTokens + u.outputTokens,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
    });
  }
  sse(res, '[DONE]');
  record.completed = true;
  res.end();
}

/** Anthropic Messages streaming: named events from message_start to message_stop. */
async function writeAnthropicStream(args: StreamArgs) {
  const { res, record } = args;
  const body = record.body as { model?: string; max_tokens?: number };
  const u = () => usageOf(args.scenario, record);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  let opened = false;
  const open = () => {
    if (opened) return;
    opened = true;
    const message = {
      id: `msg_01${randomBytes(11).toString('hex')}`,
      type: 'message',
      role: 'assistant',
      model: body.model ?? 'unknown',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: u().inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
    };
    sse(res, { type: 'message_start', message }, 'message_start');
    sse(res, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
    sse(res, { type: 'ping' }, 'ping');
  };
  const ended = await sendTokens(args, body.max_tokens ?? Infinity, (token) => {
    open();
    sse(res, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: token } }, 'content_block_delta');
  });
  if (ended === 'closed' || ended === 'failed') return;
  open();
  sse(res, { type: 'content_block_stop', index: 0 }, 'content_block_stop');
  sse(
    res,
    {
      type: 'message_delta',
      delta: { stop_reason: ended === 'length' ? 'max_tokens' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: u().outputTokens },
    },
    'message_delta',
  );
  sse(res, { type: 'message_stop' }, 'message_stop');
  record.completed = true;
  res.end();
}

/**
 * A request without `stream: true`: the reply is "generated" at the scenario's pace (tokensSent
 * counts up, a failure or a stall happens midway as when streaming), then sent as one JSON document
 * in either API's shape.
 */
async function writeJsonAnswer(args: StreamArgs, anthropic: boolean) {
  const { res, record, scenario } = args;
  const body = record.body as { model?: string; max_tokens?: number; max_completion_tokens?: number };
  const kept: string[] = [];
  // A reply set to break off midway is cut inside its body: the status and the start were sent.
  if (scenario.failAfterTokens !== undefined) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"id":"cut","choices":[{"index":0,"message":{"role":"assistant","content":"');
  }
  const ended = await sendTokens(args, body.max_completion_tokens ?? body.max_tokens ?? Infinity, (token) => kept.push(token));
  if (ended === 'closed' || ended === 'failed') return;
  const text = kept.join('');
  const truncated = ended === 'length';
  const u = usageOf(scenario, record);
  const answer = anthropic
    ? {
        id: `msg_01${randomBytes(11).toString('hex')}`,
        type: 'message',
        role: 'assistant',
        model: body.model ?? 'unknown',
        content: [{ type: 'text', text }],
        stop_reason: truncated ? 'max_tokens' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: u.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: u.outputTokens },
      }
    : {
        id: `chatcmpl-${randomBytes(12).toString('hex')}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model ?? 'unknown',
        choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: truncated ? 'length' : 'stop' }],
        usage: { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.inputTokens + u.outputTokens },
      };
  record.completed = true;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(answer));
}

function sendError(res: ServerResponse, anthropic: boolean, status: number, message: string) {
  const body = anthropic
    ? {
        type: 'error',
        error: { type: status === 401 ? 'authentication_error' : status === 429 ? 'rate_limit_error' : 'api_error', message },
        request_id: `req_${randomBytes(8).toString('hex')}`,
      }
    : { error: { message, type: status === 401 ? 'invalid_request_error' : 'server_error', param: null, code: status === 401 ? 'invalid_api_key' : null } };
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeUpstream(initial: Partial<UpstreamScenario> = {}): Promise<FakeUpstream> {
  const upstream = {
    requests: [] as RecordedRequest[],
    scenario: { ...DEFAULT_SCENARIO, ...initial },
    pick: undefined as ((request: RecordedRequest) => Partial<UpstreamScenario>) | undefined,
  };

  const server = createServer(async (req, res) => {
    let markClosed!: () => void;
    const record: RecordedRequest = {
      path: req.url ?? '',
      headers: req.headers,
      body: {},
      tokensSent: 0,
      aborted: false,
      completed: false,
      closed: new Promise((r) => (markClosed = r)),
    };
    upstream.requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished && !record.completed) record.aborted = true;
      markClosed();
    });
    let scenario = upstream.scenario;
    const pick = upstream.pick;
    const anthropic = req.url === '/v1/messages';
    try {
      record.body = await readJson(req);
      if (pick) scenario = { ...scenario, ...pick(record) };
      if (req.method !== 'POST' || (!anthropic && req.url !== '/v1/chat/completions')) return sendError(res, anthropic, 404, 'not found');
      if (scenario.dropConnection) return void req.socket.destroy();
      if (scenario.status) return sendError(res, anthropic, scenario.status, scenario.errorMessage);
      if (record.body.stream !== true) return await writeJsonAnswer({ res, record, scenario }, anthropic);
      const writer = anthropic ? writeAnthropicStream : writeOpenAiStream;
      await writer({ res, record, scenario });
    } catch {
      if (!res.headersSent) sendError(res, anthropic, 400, 'bad request');
      else res.destroy();
    }
  });
  // Tests close the app's sockets by aborting; keep-alive connections must not hold close() up.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return upstream.requests;
    },
    get scenario() {
      return upstream.scenario;
    },
    reset(scenario = {}) {
      upstream.scenario = { ...DEFAULT_SCENARIO, ...scenario };
      upstream.pick = undefined;
      upstream.requests = [];
    },
    vary(pick) {
      upstream.pick = pick;
    },
    forgetRequests() {
      upstream.requests = [];
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
