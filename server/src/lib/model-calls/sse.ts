// A response body of Server-Sent Events that a model call writes into as its reply arrives. The
// events written in one turn of the event loop (one upstream chunk often carries several, and a
// UI message stream part is a few events) go out as one string pushed into a plain Readable: one
// socket write instead of one per event, which was 40% of the server's busy time at 512 streams.
import { Readable } from 'node:stream';

export interface SseWriter {
  /** The event's data, already serialised. */
  data(json: string): void;
  /** Sends what is pending, then `data: [DONE]` (unless told not to), and ends the body. */
  end(options?: { done: boolean }): void;
  readonly body: Readable;
}

export function createSseWriter(): SseWriter {
  // Written by the model call as pieces arrive, read by the HTTP response: nothing to pull.
  const body = new Readable({ read() {} });
  let pending = '';
  const flush = () => {
    if (pending === '' || body.destroyed) return;
    const chunk = pending;
    pending = '';
    body.push(chunk);
  };
  return {
    body,
    data(json) {
      if (body.destroyed) return;
      if (pending === '') queueMicrotask(flush);
      pending += `data: ${json}\n\n`;
    },
    end({ done } = { done: true }) {
      if (body.destroyed) return;
      if (done) pending += 'data: [DONE]\n\n';
      flush();
      body.push(null);
    },
  };
}
