// Passwords cost the same to check whether or not the account exists, and hashing them never
// blocks the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { buildTestApp, createUser, uniqueEmail, type TestApp } from '../../../test/test-app.js';
import { hashPassword } from './passwords.js';

describe('password hashing', () => {
  it('never blocks the event loop: a hash is computed off the main thread', async () => {
    // If hashing ran on the main thread, the promise would already be settled when it is
    // returned, and would win this race against the next turn of the event loop.
    const first = await Promise.race([
      hashPassword('a password to hash').then(() => 'hash'),
      new Promise((resolve) => setImmediate(() => resolve('event loop'))),
    ]);
    expect(first).toBe('event loop');
  });
});

describe.each(testDbKinds())('login timing on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(() => t.close());

  it("is about the same for an unknown email, a wrong password and a deactivated account's wrong password", async () => {
    const user = await createUser(t.app);
    const inactive = await createUser(t.app);
    await t.services.users.updateUser(inactive.id, { isActive: false });
    const attempts = {
      wrongPassword: { email: user.email, password: 'not the password' },
      unknownEmail: { email: uniqueEmail('ghost'), password: 'not the password' },
      // A deactivated account's own password gets 403 ACCOUNT_DEACTIVATED: only its holder learns that.
      deactivated: { email: inactive.email, password: 'not the password' },
    };
    const times: Record<string, number[]> = { wrongPassword: [], unknownEmail: [], deactivated: [] };
    for (let round = 0; round < 7; round++) {
      for (const [name, payload] of Object.entries(attempts)) {
        const started = performance.now();
        const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload });
        times[name]!.push(performance.now() - started);
        expect(res.statusCode).toBe(401);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const reference = median(times.wrongPassword!);
    // Without a real hash to verify, a miss would take a few database microseconds instead of
    // an argon2id verification (tens of milliseconds): far outside these bounds.
    for (const name of ['unknownEmail', 'deactivated']) {
      expect(median(times[name]!), name).toBeGreaterThan(reference * 0.5);
      expect(median(times[name]!), name).toBeLessThan(reference * 2);
    }
  });
});
