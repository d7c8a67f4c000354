// Serves the built web app (web/dist) from the API's own port, so one process is the whole product.
// Files are served from routes made at start-up (no filesystem lookups per unknown path); hashed
// assets are cached for a year, index.html never. Any other GET that asks for HTML gets index.html
// so the single-page app can route it; API-ish paths and non-HTML requests keep the problem+json 404.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendProblem } from './problem-handler.js';

/** web/dist, relative to this file (server/src/platform/http). */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../../../web/dist/', import.meta.url));

/** Paths that belong to the server: never answered with the app's HTML. */
const SERVER_PATHS = /^\/(api|docs|openapi\.json|health|metrics)(\/|$)/;

export function webDistExists(dir: string): boolean {
  return existsSync(`${dir.replace(/\/$/, '')}/index.html`);
}

export async function staticWeb(app: FastifyInstance, opts: { root: string }) {
  await app.register(fastifyStatic, {
    root: opts.root,
    wildcard: false,
    // The build writes .br and .gz next to each asset (web/vite.config.ts).
    preCompressed: true,
    globIgnore: ['**/*.gz', '**/*.br'],
    cacheControl: false,
    schemaHide: true,
    setHeaders(reply, path) {
      reply.header('cache-control', /[/\\]assets[/\\]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const wantsHtml = (request.headers.accept ?? '').includes('text/html');
    const looksLikeFile = /\.[a-z0-9]{1,8}$/i.test(path);
    if (SERVER_PATHS.test(path) || !wantsHtml || looksLikeFile) {
      return sendProblem(reply, 'NOT_FOUND', `No route for GET ${path}`);
    }
    reply.header('cache-control', 'no-cache');
    // A shared conversation's page (/s/<token>, docs/decisions/022) stays out of search engines.
    if (path.startsWith('/s/')) reply.header('x-robots-tag', 'noindex, nofollow');
    return reply.sendFile('index.html');
  });
}
