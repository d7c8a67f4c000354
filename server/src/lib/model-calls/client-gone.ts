import type { FastifyReply } from 'fastify';

/**
 * Aborts when the client goes away before the response has finished (a closed tab, useChat's
 * stop(), an OpenAI client's abort): a model call given this signal stops its upstream request at
 * once, so no more tokens are spent, and settles what was used.
 */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  return gone.signal;
}
