// One log line per request (platform/http/request-log.ts): who, which route, what status, how long;
// never the URL, whose query string can carry what a user typed. A stream whose client left before
// its first byte is an info line, not an "unhandled error".
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.js';
import { authHeader, createUser, TEST_JWT_SECRET, testConfig } from '../../../test/test-app.js';
import { buildApp } from '../../app.js';

describe('the request log', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    app = await buildApp(testConfig({ LOG_LEVEL: 'info' }), {
      db: database.db,
      jwtSecret: TEST_JWT_SECRET,
      webDist: false,
      logStream: { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    // A stream that ends before it sends anything, as when its client leaves first.
    app.get('/test/stream-gone', async (_request, reply) => {
      const body = new Readable({ read() {} });
      setImmediate(() => body.destroy());
      return reply.send(body);
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });
  const requestLines = () => lines.filter((l) => l.msg === 'request');

  it('writes one line per request with its id, user, route pattern, status and duration, and not the URL', async () => {
    const user = await createUser(app);
    lines = [];
    const search = await app.inject({ method: 'GET', url: '/api/conversations?q=what-a-user-searched-for', headers: authHeader(user) });
    expect(search.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/no/such/path?q=what-a-user-searched-for' })).statusCode).toBe(404);
    expect(requestLines()).toEqual([
      {
        level: 30,
        time: expect.any(Number),
        pid: expect.any(Number),
        hostname: expect.any(String),
        reqId: search.headers['x-request-id'],
        userId: user.id,
        method: 'GET',
        route: '/api/conversations',
        status: 200,
        durationMs: expect.any(Number),
        msg: 'request',
      },
      expect.objectContaining({ userId: null, route: 'unmatched', status: 404 }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('what-a-user-searched-for');
  });

  it('logs a stream that ended before its first byte at info, with no error line', async () => {
    lines = [];
    await app.inject({ method: 'GET', url: '/test/stream-gone' });
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect(lines.some((l) => l.level === 30 && l.msg === 'the client closed the connection before the stream began')).toBe(true);
    expect(requestLines()).toHaveLength(1);
  });
});
