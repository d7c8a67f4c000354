// Privilege: every admin route (under /api/admin or tagged admin in the document) refuses a
// normal user's token (403), and an API key, an expired token, a deactivated admin's token, a
// deactivated user's token and none (401), each in the problem shape, with a body that would
// change something; and the database is unchanged. The admin's own request then succeeds, so the
// refusals are the guard's.
import { randomUUID } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createUser, TEST_JWT_SECRET, uniqueEmail } from '../../test/test-app.js';
import { idSlotsOf } from './ids.js';
import type { Operation } from './operations.js';
import { bearer, bodiesFor, injectOptions } from './requests.js';
import { refusalProblem } from './shapes.js';
import { changedTables, databaseSnapshot } from './snapshots.js';
import type { Sweep } from './world.js';

export const privilegeCounts = { routes: 0, cases: 0 };

async function expiredTokenOf(accessToken: string): Promise<string> {
  const at = Math.floor(Date.now() / 1000);
  const claims = { ...decodeJwt(accessToken), iat: at - 3600, exp: at - 60, jti: randomUUID() };
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

export function describePrivilegeSweep(sweep: () => Sweep, operations: Operation[]) {
  describe('privilege: admin routes refuse everyone else', () => {
    it('finds admin routes in the document', () => {
      expect(operations.filter((o) => o.admin).length).toBeGreaterThan(0);
    });

    for (const op of operations.filter((o) => o.admin)) {
      it(`${op.name} refuses a normal user, an API key, an expired and a deactivated account's token`, async () => {
        const { t, world, tables } = sweep();
        const { slots, unknown } = idSlotsOf(op);
        expect(unknown, 'ids the sweep cannot fill: add their kind to ID_KINDS in ids.ts').toEqual([]);
        // The admin acts on a user of its own, so that the last, successful request harms no one.
        const target = await createUser(t.app, { email: uniqueEmail('target') });
        const targetIds = { ...world.b.ids, users: target.id };
        const ids = Object.fromEntries(slots.map((s) => [s.name, targetIds[s.kind]]));
        const body = op.jsonBody ? bodiesFor(op, world.admin)[0] : undefined;
        const refusals: [string, string | undefined, number][] = [
          ["a normal user's token", bearer(world.a.accessToken), 403],
          ['an API key', bearer(world.a.key.key), 401],
          ["an admin's expired token", bearer(await expiredTokenOf(world.admin.accessToken)), 401],
          ["a deactivated admin's token", bearer(world.deactivatedAdmin.accessToken), 401],
          ["a deactivated user's token", bearer(world.deactivated.accessToken), 401],
          ['no token', undefined, 401],
        ];

        const before = await databaseSnapshot(t.db, tables);
        const failures: string[] = [];
        for (const [name, authorization, status] of refusals) {
          const why = refusalProblem(op.path, await t.app.inject(injectOptions(op, slots, { authorization, ids, body })), [status]);
          if (why) failures.push(`${name}: ${why}`);
        }
        expect(failures, `${op.name}: not refused as it should be`).toEqual([]);
        expect(changedTables(before, await databaseSnapshot(t.db, tables)), `${op.name}: a refused request changed the database`).toEqual({});
        privilegeCounts.routes += 1;
        privilegeCounts.cases += refusals.length;

        const admin = await t.app.inject(injectOptions(op, slots, { authorization: bearer(world.admin.accessToken), ids, body }));
        expect(admin.statusCode, `${op.name} as the admin, ${JSON.stringify(body ?? null)}: ${admin.body.slice(0, 300)}`).toBeLessThan(300);
      });
    }
  });
}
