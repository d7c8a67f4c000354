// A response body of Server-Sent Events that a model call writes into as its reply arrives. Each
// event is one string pushed into a plain Readable: no web streams or async iterators per piece.
import { Readable } from 'node:stream';

export interface SseWriter {
  /** The event's data, already serialised. */
  data(json: string): void;
  /** Sends `data: [DONE]` (unless told not to) and ends the body. */
  end(options?: { done: boolean }): void;
  readonly body: Readable;
}

export function createSseWriter(): SseWriter {
  // Written by the model call as pieces arrive, read by the HTTP response: nothing to pull.
  const body = new Readable({ read() {} });
  return {
    body,
    data(json) {
      if (!body.destroyed) body.push(`data: ${json}\n\n`);
    },
    end({ done } = { done: true }) {
      if (body.destroyed) return;
      if (done) body.push('data: [DONE]\n\n');
      body.push(null);
    },
  };
}
