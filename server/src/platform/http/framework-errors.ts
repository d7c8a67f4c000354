// One error path for every refusal that happens before a route runs: Fastify's own (a URL that
// cannot be decoded: its `frameworkErrors` option) and Node's HTTP parser's (headers over the
// size limit, a bare CR or a NUL in a header, broken chunking, a request that never arrives: the
// server's 'clientError' event, Fastify's `clientErrorHandler` option). Both answer in the shape
// of the path asked for, problem+json or OpenAI's under /v1, as the error handlers do.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../../lib/errors.js';
import { sendRendered, toAppError, type RenderError } from './problem-handler.js';

/** Node's parser errors (llhttp's HPE_* codes and the request timeout) as our codes. */
const CLIENT_ERROR_CODES: Record<string, ErrorCode> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'PAYLOAD_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
};

/**
 * The URL of the request line in the bytes the parser was reading when it gave up (Node's
 * `rawPacket`, a Buffer whatever Fastify's types say); '' when the line is not in them.
 */
function requestUrlOf(rawPacket: unknown): string {
  if (!Buffer.isBuffer(rawPacket)) return '';
  const target = /^\S+ (\S+)/.exec(rawPacket.toString('latin1', 0, Math.min(rawPacket.length, 8192)))?.[1] ?? '';
  // An absolute-form target (GET http://host/v1/models) names the path after its origin.
  return target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
}

/** How long a refused connection may linger while its client finishes sending. */
const LINGER_MS = 2_000;

export function frameworkErrorOptions(render: RenderError) {
  return {
    frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
      void sendRendered(reply, render(toAppError(error, request), request.url));
    },

    clientErrorHandler(error: ConnectionError, socket: Socket): void {
      // A reset connection has no one left to answer; a socket already ended was answered once.
      if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
      const code = (error.code && CLIENT_ERROR_CODES[error.code]) || 'INVALID_HTTP';
      const rendered = render(new AppError(code), requestUrlOf(error.rawPacket));
      const payload = JSON.stringify(rendered.body);
      const head = [
        `HTTP/1.1 ${rendered.status} ${STATUS_CODES[rendered.status] ?? ''}`,
        `Content-Type: ${rendered.contentType}`,
        `Content-Length: ${Buffer.byteLength(payload)}`,
        ...Object.entries(rendered.headers).map(([k, v]) => `${k}: ${v}`),
        'Connection: close',
      ];
      // end(), not destroy(): closing with unread bytes would reset the connection and the
      // client could lose the answer; the timer bounds a client that keeps sending.
      socket.end(`${head.join('\r\n')}\r\n\r\n${payload}`);
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    },
  };
}
