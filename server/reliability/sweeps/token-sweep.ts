// The JWT battery (jwt-battery.ts) against every route whose `security` asks for a credential:
// each forged, stale or misplaced credential answers 401 in the shape of its path, and the
// database is unchanged. The requests are otherwise ones a forgotten guard would carry out: the
// owner's real ids and a body of the route's schema.
import { describe, expect, it } from 'vitest';
import { createApiKey, createUser, TEST_JWT_SECRET, uniqueEmail, type TestApp, type TestUser } from '../../test/test-app.js';
import { idSlotsOf, randomIds } from './ids.js';
import { jwtBattery, keyBattery, type Credential } from './jwt-battery.js';
import type { Operation } from './operations.js';
import { bearer, bodiesFor, injectOptions } from './requests.js';
import { refusalProblem } from './shapes.js';
import { changedTables, databaseSnapshot } from './snapshots.js';
import { makeAdmin, type Sweep, type SweepUser } from './world.js';

export const tokenCounts = { routes: 0, cases: 0 };

export function describeTokenSweep(sweep: () => Sweep, operations: Operation[]) {
  describe('the JWT battery', () => {
    for (const op of operations.filter((o) => o.credential !== 'none')) {
      it(`${op.name} refuses every forged, stale or misplaced credential with 401`, async () => {
        const { t, world, tables } = sweep();
        // A bypass would act as the owner: the admin on admin routes, A elsewhere.
        const owner = op.admin ? world.admin : world.a;
        const deactivated = op.admin ? world.deactivatedAdmin : world.deactivated;
        const credentials = await credentialsFor(op, owner, deactivated, sweep());
        const { slots } = idSlotsOf(op);
        const ids = Object.fromEntries(slots.map((s) => [s.name, owner.ids[s.kind]]));
        const body = op.jsonBody ? bodiesFor(op, owner).at(-1) : undefined;

        const before = await databaseSnapshot(t.db, tables);
        const failures: string[] = [];
        for (const credential of credentials) {
          const res = await t.app.inject(injectOptions(op, slots, { authorization: credential.authorization, ids, body }));
          const why = refusalProblem(op.path, res, [401]);
          if (why) failures.push(`${credential.name}: ${why}`);
        }
        expect(failures, `${op.name}: credentials that were not refused as they should be`).toEqual([]);
        expect(changedTables(before, await databaseSnapshot(t.db, tables)), `${op.name} changed the database`).toEqual({});
        tokenCounts.routes += 1;
        tokenCounts.cases += credentials.length;

        // A real credential passes the guard, so the battery is not refused for another reason:
        // on random ids or with a body the route refuses, nothing changes; a route with neither
        // (DELETE /api/auth/account) acts, so it runs as a user of its own.
        const acts = !op.jsonBody && slots.length === 0 && op.method !== 'GET';
        const caller = acts ? await throwawayUser(t, op.admin) : owner;
        const real = op.credential !== 'apiKey' ? caller.accessToken : acts ? (await createApiKey(t.app, caller)).key : owner.key.key;
        const randomSlotIds = Object.fromEntries(slots.map((s) => [s.name, randomIds()[s.kind]]));
        const control = await t.app.inject(injectOptions(op, slots, { authorization: bearer(real), ids: randomSlotIds, body: op.jsonBody ? [] : undefined }));
        expect([401, 403], `${op.name} with the owner's real credential: ${control.body}`).not.toContain(control.statusCode);
      });
    }
  });
}

async function throwawayUser(t: TestApp, admin: boolean): Promise<TestUser> {
  const user = await createUser(t.app, { email: uniqueEmail('control') });
  if (admin) await makeAdmin(t, user);
  return user;
}

async function credentialsFor(op: Operation, owner: SweepUser, deactivated: SweepUser, { world }: Sweep): Promise<Credential[]> {
  const jwts = await jwtBattery({
    secret: TEST_JWT_SECRET,
    subject: owner.id,
    subjectToken: owner.accessToken,
    otherUserId: world.b.id === owner.id ? world.a.id : world.b.id,
    refreshToken: owner.refreshCookie,
    apiKey: owner.key.key,
    deletedUserToken: world.deleted.accessToken,
    deactivatedUserToken: deactivated.accessToken,
  });
  if (op.credential === 'session') return jwts;
  // /v1 takes API keys: every JWT above is refused there too, and so are these keys.
  return [
    ...jwts.filter((c) => c.name !== 'an API key'),
    ...keyBattery({
      apiKey: owner.key.key,
      revokedKey: owner.revokedKey,
      deletedUserKey: world.deleted.key.key,
      deactivatedUserKey: deactivated.key.key,
      accessToken: owner.accessToken,
    }),
  ];
}
