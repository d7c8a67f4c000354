// POSTs a JSON body to a provider over node:http(s) with keep-alive connections, and reads the
// answer: one JSON document, or Server-Sent Events handed to a callback as they are parsed
// (eventsource-parser). Used by every remote provider; no fetch and no web streams on this path.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { UpstreamBrokeOffError, UpstreamHttpError, UpstreamUnreachableError } from '../upstream-errors.js';

// One pool of connections per scheme for the whole process, reused across calls (no TLS handshake
// per call); no cap on sockets: admission (admission.ts) bounds how many calls run at once.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' }),
};

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** Resolves with the response once its status is 2xx; rejects with why it is not there. */
export function postJson(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<IncomingMessage> {
  return send(url, headers, body, signal).catch((err: unknown) => {
    // A kept-alive connection that the provider closed just as we reused it: the request never
    // reached it (no byte of an answer came back), so it is sent once more on a new connection.
    if (err instanceof StaleConnectionError) return send(url, headers, body, signal, { fresh: true });
    throw err;
  });
}

class StaleConnectionError extends Error {}

function send(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal, { fresh = false } = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, {
      method: 'POST',
      // A retry takes no pooled connection (agent: false opens one of its own, closed after).
      agent: fresh ? false : agents[url.protocol as 'http:' | 'https:'],
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      signal,
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (signal.aborted) return reject(abortReason(signal));
      if (req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) return reject(new StaleConnectionError(err.message));
      reject(new UpstreamUnreachableError(err));
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return resolve(res);
      // The body is drained, never read: it may quote the request or a key (upstream-errors.ts).
      res.resume();
      res.on('error', () => {});
      res.on('close', () => reject(new UpstreamHttpError(status, url.href)));
    });
    req.end(body);
  });
}

/**
 * Reads a response to its end, calling onEvent for each event in order. Rejects if the connection
 * breaks off first, or with what onEvent threw (the response is then closed).
 */
export function readEvents(res: IncomingMessage, signal: AbortSignal, onEvent: (event: EventSourceMessage) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      res.destroy();
      reject(signal.aborted ? abortReason(signal) : err);
    };
    const parser = createParser({
      onEvent(event) {
        if (failed) return;
        try {
          onEvent(event);
        } catch (err) {
          fail(err);
        }
      },
    });
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => parser.feed(chunk));
    res.on('end', () => {
      if (!failed) resolve();
    });
    res.on('error', (err) => fail(new UpstreamBrokeOffError(err)));
    res.on('close', () => {
      if (!res.complete) fail(new UpstreamBrokeOffError());
    });
  });
}

/** Reads a whole JSON answer. */
export function readJson<T>(res: IncomingMessage, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => {
      try {
        resolve(JSON.parse(text) as T);
      } catch (err) {
        reject(new UpstreamBrokeOffError(err));
      }
    });
    res.on('error', (err) => reject(signal.aborted ? abortReason(signal) : new UpstreamBrokeOffError(err)));
    res.on('close', () => {
      if (!res.complete) reject(signal.aborted ? abortReason(signal) : new UpstreamBrokeOffError());
    });
  });
}

/** `${base}/${path}` with exactly one slash between, as providers' base URLs end with or without one. */
export function endpoint(baseUrl: string, path: string): URL {
  return new URL(`${baseUrl.replace(/\/+$/, '')}/${path}`);
}
