import { describe, expect, it } from 'vitest';
import { fakeServer, json, problem, testUser, tokens } from '../test/harness';
import { SessionStore } from './session';

/** A refresh endpoint that rotates: each call hands out the next token, after `delayMs`. */
function rotatingRefresh(delayMs = 10) {
  let n = 0;
  return async () => {
    n += 1;
    const token = `token-${n}`;
    await new Promise((r) => setTimeout(r, delayMs));
    return json(tokens(token));
  };
}

describe('SessionStore', () => {
  it('restores the session from the refresh cookie on load', async () => {
    const server = fakeServer({ 'POST /api/auth/refresh': rotatingRefresh() });
    const session = new SessionStore({ fetch: server.fetch, locks: null });
    expect(session.getState().status).toBe('loading');
    await session.restore();
    expect(session.getState()).toMatchObject({ status: 'authenticated', user: { email: testUser.email } });
    expect(session.accessToken).toBe('token-1');
  });

  it('is anonymous when there is no session to restore', async () => {
    const server = fakeServer({ 'POST /api/auth/refresh': () => problem(401, 'REFRESH_TOKEN_INVALID', 'Your session has ended; log in again') });
    const session = new SessionStore({ fetch: server.fetch, locks: null });
    await session.restore();
    expect(session.getState()).toEqual({ status: 'anonymous', user: null });
  });

  it("asks nothing on load when the server's signed-in hint is missing (a signed-out visit logs no 401)", async () => {
    document.cookie = 'qc_signed_in=; path=/; max-age=0';
    const server = fakeServer({ 'POST /api/auth/refresh': rotatingRefresh() });
    const session = new SessionStore({ fetch: server.fetch, locks: null });
    await session.restore();
    expect(session.getState()).toEqual({ status: 'anonymous', user: null });
    expect(server.calls).toEqual([]);
  });

  it('keeps the access token in memory only, never in web storage', async () => {
    const server = fakeServer({ 'POST /api/auth/login': () => json(tokens('secret-access-token')) });
    const session = new SessionStore({ fetch: server.fetch, locks: null });
    await session.login('ada@example.com', 'correct horse battery');
    expect(session.accessToken).toBe('secret-access-token');
    const stored = [...Object.keys(localStorage), ...Object.keys(sessionStorage)].map((k) => localStorage.getItem(k) ?? sessionStorage.getItem(k));
    expect(stored.join(' ')).not.toContain('secret-access-token');
  });

  it('sends one refresh for many concurrent 401s and retries each request with the new token', async () => {
    const server = fakeServer({
      'POST /api/auth/refresh': rotatingRefresh(20),
      'GET /api/thing': (_url, init) => {
        const auth = new Headers(init.headers).get('authorization');
        return auth === 'Bearer token-2' ? json({ ok: true }) : problem(401, 'TOKEN_INVALID', 'expired');
      },
    });
    const session = new SessionStore({ fetch: server.fetch, locks: null });
    await session.restore(); // token-1, which the API now refuses

    const results = await Promise.all([1, 2, 3, 4, 5].map(() => session.fetch('/api/thing')));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const refreshes = server.calls.filter((c) => c.path === '/api/auth/refresh');
    expect(refreshes).toHaveLength(2); // the restore, then exactly one for the five 401s
    expect(session.accessToken).toBe('token-2');
  });

  it('never runs two refreshes at once, and holds the cross-tab lock while refreshing', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let n = 0;
    const server = fakeServer({
      'POST /api/auth/refresh': async () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 15));
        inFlight -= 1;
        n += 1;
        return json(tokens(`token-${n}`));
      },
    });
    // A fake Web Locks API that serialises by name, as browsers do across tabs.
    const held: string[] = [];
    let queue = Promise.resolve();
    const locks = {
      request: ((name: string, fn: () => Promise<unknown>) => {
        const run = queue.then(() => {
          held.push(name);
          return fn();
        });
        queue = run.then(
          () => undefined,
          () => undefined,
        );
        return run;
      }) as unknown as LockManager['request'],
    };
    const tabA = new SessionStore({ fetch: server.fetch, locks });
    const tabB = new SessionStore({ fetch: server.fetch, locks });
    await Promise.all([tabA.refresh(), tabA.refresh(), tabB.refresh(), tabB.refresh()]);
    expect(maxInFlight).toBe(1);
    expect(n).toBe(2); // one per tab: calls within a tab share the request in flight
    expect(held).toEqual(['quota-chat:refresh', 'quota-chat:refresh']);
    // Once finished, a later refresh is a new request.
    await tabA.refresh();
    expect(n).toBe(3);
  });

  it('ends the session as expired when the refresh is refused, and returns the 401', async () => {
    const server = fakeServer({
      'POST /api/auth/login': () => json(tokens('token-1')),
      'POST /api/auth/refresh': () => problem(401, 'REFRESH_TOKEN_INVALID', 'Your session has ended; log in again'),
      'GET /api/thing': () => problem(401, 'TOKEN_INVALID', 'expired'),
    });
    const session = new SessionStore({ fetch: server.fetch, locks: null });
    await session.login('ada@example.com', 'pw');
    const res = await session.fetch('/api/thing');
    expect(res.status).toBe(401);
    expect(session.getState()).toEqual({ status: 'anonymous', user: null, ended: 'expired' });
    expect(session.accessToken).toBeNull();
  });

  it('does not treat a wrong current password (401 INVALID_CREDENTIALS) as an expired session', async () => {
    const server = fakeServer({
      'POST /api/auth/login': () => json(tokens('token-1')),
      'POST /api/auth/password': () => problem(401, 'INVALID_CREDENTIALS', 'The current password is incorrect.'),
    });
    const session = new SessionStore({ fetch: server.fetch, locks: null });
    await session.login('ada@example.com', 'pw');
    const res = await session.fetch('/api/auth/password', { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(server.calls.some((c) => c.path === '/api/auth/refresh')).toBe(false);
    expect(session.getState().status).toBe('authenticated');
  });

  it('stays signed in when the refresh cannot reach the server', async () => {
    let up = true;
    const server = fakeServer({
      'POST /api/auth/login': () => json(tokens('token-1')),
      'POST /api/auth/refresh': () => {
        if (!up) throw new TypeError('Failed to fetch');
        return json(tokens('token-2'));
      },
      'GET /api/thing': () => problem(401, 'TOKEN_INVALID', 'expired'),
    });
    const session = new SessionStore({ fetch: server.fetch, locks: null });
    await session.login('ada@example.com', 'pw');
    up = false;
    const res = await session.fetch('/api/thing');
    expect(res.status).toBe(401);
    expect(session.getState().status).toBe('authenticated');
  });

  it('logs out: the server revokes the cookie and the token is forgotten', async () => {
    const server = fakeServer({
      'POST /api/auth/login': () => json(tokens('token-1')),
      'POST /api/auth/logout': () => new Response(null, { status: 204 }),
    });
    const session = new SessionStore({ fetch: server.fetch, locks: null });
    await session.login('ada@example.com', 'pw');
    await session.logout();
    expect(server.calls.at(-1)?.path).toBe('/api/auth/logout');
    expect(session.getState()).toEqual({ status: 'anonymous', user: null, ended: 'logged-out' });
    expect(session.accessToken).toBeNull();
  });
});
