// PostgreSQL's text cannot hold U+0000: a NUL that reached a query failed it, and the request
// answered 500 (found on nine paths on 2026-12-01, and by the fuzz suite). One hook refuses it in
// every text input, the body, the query and the path, before any route's schema or service runs.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../lib/errors.js';

/**
 * Where the first NUL is in a parsed input (a string, or a key or string anywhere inside):
 * '' for the value itself, else its dotted path; undefined when there is none. Iterative, since a
 * body may nest deeper than the stack.
 */
export function findNul(value: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return path;
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        const at = path ? `${path}.${key}` : key;
        if (key.includes('\u0000')) return at;
        stack.push([child, at]);
      }
    }
  }
  return undefined;
}

export function registerNulRefusal(app: FastifyInstance) {
  app.addHook('preValidation', async (request) => {
    for (const [location, input] of [
      ['body', request.body],
      ['query', request.query],
      ['params', request.params],
    ] as const) {
      const path = findNul(input);
      if (path === undefined) continue;
      const field = path ? `${location}.${path.replaceAll('\u0000', '\\u0000')}` : location;
      throw new AppError('NUL_IN_TEXT', `${field} contains the NUL character (U+0000), which text here cannot hold; remove it.`, {
        issues: [{ location, path: path.replaceAll('\u0000', '\\u0000'), message: 'Remove the NUL character (U+0000).' }],
      });
    }
  });
}
