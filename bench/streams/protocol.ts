// What the orchestrator (main.ts) and the load generator (load-generator.ts) say to each other over
// IPC, and the reply every target streams: the fake upstream's text, so that a client can tell a
// complete reply from one cut short by counting the characters it received.

/** How the fake upstream paces a reply; a request may ask for other values (see paceTag). */
export interface Pacing {
  firstTokenMs: number;
  chunks: number;
  chunkGapMs: number;
}

/** The reply's text: `w0 w1 ... w63 `, one word per chunk; no character JSON would escape. */
export const replyText = (chunks: number) => Array.from({ length: chunks }, (_, i) => `w${i} `).join('');

/** Put in a message's content, asks the fake upstream for this pacing (our server passes the content on as is). */
export const paceTag = (p: Pacing) => `[pace first=${p.firstTokenMs} chunks=${p.chunks} gap=${p.chunkGapMs}]`;

/** The wire format a target answers in: OpenAI chat.completion(.chunk), or the AI SDK UI message stream of /api/chat. */
export type WireFormat = 'openai' | 'ui';

export interface PhaseSpec {
  /** 'stream': `level` workers each read `perWorker` streams back to back; 'json': `level` workers send stream:false requests until durationMs has passed. */
  kind: 'stream' | 'json';
  host: string;
  port: number;
  path: string;
  /** Headers of every request (content-type, Portkey's routing headers...). */
  headers: Record<string, string>;
  /** Authorization header values; worker i uses auth[i % auth.length] (none when empty). */
  auth: string[];
  body: string;
  format: WireFormat;
  level: number;
  perWorker: number;
  durationMs: number;
  /** Characters of text a complete reply carries. */
  expectedTextLength: number;
  /** A stream not ended by then is abandoned and counted as a timeout. */
  streamTimeoutMs: number;
}

export interface StreamRecord {
  /** HTTP status; 0 when no response came (the error says why). */
  status: number;
  retryAfter: boolean;
  /** ms from sending the request to the first non-empty text; null when none came. */
  ttftMs: number | null;
  /** Longest wait between two pieces of the body after the first text (ms). */
  maxGapMs: number;
  /** ms from sending the request to the end of the response. */
  totalMs: number;
  textLength: number;
  /** The reply's end marker came (finish_reason stop / a finish part). */
  finished: boolean;
  /** Status 200, all the text, the end marker and a clean end of the body. */
  complete: boolean;
  error?: string;
}

export interface PhaseOutcome {
  records: StreamRecord[];
  /** ms from 'go' to the end of the last request. */
  wallMs: number;
  /** CPU time of the generator itself during the phase (ms), to show it was not the bottleneck. */
  generatorCpuMs: number;
}

export type ToGenerator = { type: 'prepare'; spec: PhaseSpec } | { type: 'go' } | { type: 'exit' };
export type FromGenerator = { type: 'prepared'; opened: number; failed: number } | { type: 'done'; outcome: PhaseOutcome };
