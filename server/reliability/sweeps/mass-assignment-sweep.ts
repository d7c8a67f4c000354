// Mass assignment: every route with a JSON body gets, on top of an otherwise valid body, every
// column name of every table it does not declare (role, tier, is_active, monthly_token_cap,
// total_tokens, reserved_tokens, id, user_id...), each with a value that would show: the victim's
// ids, the privileged choice, sentinels. Whether the route refuses the extras (422) or ignores
// them, nothing beyond what the route does with its own fields may change: checked by SQL.
import { describe, expect, it } from 'vitest';
import { expectInvariants } from '../../test/invariants.js';
import { createUser, uniqueEmail, type TestApp, type TestUser } from '../../test/test-app.js';
import { NEEDS_SETUP } from './bodies.js';
import { freshIds, idSlotsOf, type Ids } from './ids.js';
import { mailedToken } from './mailed-links.js';
import type { Operation } from './operations.js';
import { bearer, bodiesFor, injectOptions } from './requests.js';
import { changedTables, databaseSnapshot, userSnapshot, type Table } from './snapshots.js';
import { makeAdmin, type Sweep } from './world.js';

export const massAssignmentCounts = { routes: 0, fields: 0, refused: 0, ignored: 0, notProven: [] as string[] };

const SENTINEL = { text: 'sweep-sentinel', number: 987_654_321, uuid: '5eed5eed-5eed-4eed-8eed-5eed5eed5eed', time: '2001-02-03T04:05:06.789Z' };
/** The values an attacker would want in these columns. */
const PRIVILEGED: Record<string, unknown> = { role: 'admin', tier: 'advanced', is_active: false, month: '2001-02', email: 'sweep-sentinel@example.com' };
/** How the sentinels read in a snapshot's JSON. */
const SENTINEL_TEXTS = [SENTINEL.text, String(SENTINEL.number), SENTINEL.uuid, SENTINEL.time.slice(0, 10), `"${String(PRIVILEGED.month)}"`];
/** Columns of the users table a route must not change unless its body declares them. */
const GUARDED_USER_COLUMNS = ['role', 'tier', 'is_active', 'email'];
/** Columns naming another row, filled with the victim's: a route using one would touch the victim. */
const VICTIM_ID: Record<string, keyof Ids> = {
  user_id: 'users',
  actor_id: 'users',
  target_user_id: 'users',
  conversation_id: 'conversations',
  message_id: 'messages',
};

function extraFields(tables: Table[], declared: Set<string>, victim: Ids): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const table of tables.filter((t) => t.owned)) {
    for (const column of table.columns.filter((c) => !declared.has(c) && !(c in fields))) {
      const type = table.types[column]!;
      fields[column] =
        column in PRIVILEGED
          ? PRIVILEGED[column]
          : VICTIM_ID[column]
            ? victim[VICTIM_ID[column]]
            : type === 'uuid'
              ? SENTINEL.uuid
              : type === 'boolean'
                ? true
                : /int|numeric/.test(type)
                  ? SENTINEL.number
                  : type.startsWith('timestamp')
                    ? SENTINEL.time
                    : type === 'jsonb'
                      ? { sweep: SENTINEL.text }
                      : SENTINEL.text;
    }
  }
  return fields;
}

async function usersRows(t: TestApp, ids: string[]) {
  const { rows } = await t.db.query<Record<string, unknown>>(
    `SELECT id, ${GUARDED_USER_COLUMNS.join(', ')} FROM users WHERE id = ANY($1::uuid[]) ORDER BY id`,
    [ids],
  );
  return rows;
}

export function describeMassAssignmentSweep(sweep: () => Sweep, operations: Operation[]) {
  describe('mass assignment: undeclared fields in every body change nothing', () => {
    for (const op of operations.filter((o) => o.jsonBody)) {
      it(`${op.name} ignores or refuses role, tier, usage, ids and every other column it does not declare`, async () => {
        const { t, world, tables } = sweep();
        const { slots, unknown } = idSlotsOf(op);
        expect(unknown, 'ids the sweep cannot fill: add their kind to ID_KINDS in ids.ts').toEqual([]);
        // A fresh actor, so that a change the route may make to its caller (a password) harms no
        // other test; on admin routes an admin, acting on a user of its own.
        const actor: TestUser = await createUser(t.app, { email: uniqueEmail('actor') });
        if (op.admin) await makeAdmin(t, actor);
        const target = op.admin ? await createUser(t.app, { email: uniqueEmail('target') }) : actor;
        const own = { ...(await freshIds(t, target, new Set(slots.map((s) => s.kind)))), users: target.id } as Ids;
        const ids = Object.fromEntries(slots.map((s) => [s.name, own[s.kind]]));
        const declared = new Set(Object.keys(op.jsonBody!.properties ?? {}));
        const extras = extraFields(tables, declared, world.b.ids);
        const credential = op.credential === 'none' ? undefined : bearer(op.credential === 'apiKey' ? await keyOf(t, actor) : actor.accessToken);
        const send = (body: Record<string, unknown>) => t.app.inject(injectOptions(op, slots, { authorization: credential, ids, body }));

        const token = await mailedToken(t, sweep().inbox, op.name, actor);
        const tried: string[] = [];
        for (const body of bodiesFor(op, actor, token ? { token } : undefined)) {
          const before = {
            db: await databaseSnapshot(t.db, tables),
            victim: await userSnapshot(t.db, tables, world.b.id),
            users: await usersRows(t, [actor.id, target.id]),
            userIds: (await t.db.query<{ id: string }>('SELECT id FROM users')).rows.map((r) => r.id),
          };
          const injected = await send({ ...extras, ...body });
          if (injected.statusCode < 300) {
            await expectOnlyLegitimateChanges(t, tables, {
              before,
              declared,
              method: op.method,
              actor,
              target,
              victimId: world.b.id,
              label: `${op.name} ${injected.statusCode}`,
            });
            massAssignmentCounts.ignored += 1;
          } else {
            // Refused: nothing at all may have changed; the same body without the extras must pass,
            // or the refusal was the body's, not the extras'.
            expect(changedTables(before.db, await databaseSnapshot(t.db, tables)), `${op.name}: a refused request changed the database`).toEqual({});
            const clean = await send(body);
            tried.push(`${injected.statusCode} with the extras, ${clean.statusCode} without, for ${JSON.stringify(body)}: ${clean.body.slice(0, 200)}`);
            if (clean.statusCode >= 300) continue;
            massAssignmentCounts.refused += 1;
          }
          massAssignmentCounts.routes += 1;
          massAssignmentCounts.fields += Object.keys(extras).length;
          return;
        }
        if (NEEDS_SETUP[op.name]) {
          massAssignmentCounts.notProven.push(`${op.name} (needs ${NEEDS_SETUP[op.name]})`);
          return;
        }
        expect.fail(`${op.name}: no body made from its schema is accepted, so nothing is proven there (add a hint in bodies.ts):\n${tried.join('\n')}`);
      });
    }
  });
}

async function keyOf(t: TestApp, user: TestUser) {
  const res = await t.app.inject({ method: 'POST', url: '/api/keys', headers: { authorization: bearer(user.accessToken) }, payload: { name: 'actor key' } });
  return res.json<{ key: string }>().key;
}

interface Checked {
  before: { db: Record<string, string>; victim: Record<string, string>; users: Record<string, unknown>[]; userIds: string[] };
  declared: Set<string>;
  method: string;
  actor: TestUser;
  target: TestUser;
  victimId: string;
  label: string;
}

async function expectOnlyLegitimateChanges(t: TestApp, tables: Table[], c: Checked) {
  const after = await databaseSnapshot(t.db, tables);
  // No injected value landed anywhere (none was there before: the sentinels are made up).
  for (const [table, rows] of Object.entries(after)) {
    for (const value of SENTINEL_TEXTS) expect(rows.includes(value), `${c.label}: the injected ${value} is in ${table}`).toBe(false);
  }
  // The victim's rows are untouched; the caller's and the target's role, tier, active flag and
  // email move only when the body declares them.
  expect(changedTables(c.before.victim, await userSnapshot(t.db, tables, c.victimId)), `${c.label} changed the victim's rows`).toEqual({});
  const users = await usersRows(t, [c.actor.id, c.target.id]);
  const guarded = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !c.declared.has(k))));
  // A DELETE may remove its caller (DELETE /api/auth/account): the rows left must be as they were.
  const kept = c.method === 'DELETE' ? c.before.users.filter((r) => users.some((u) => u.id === r.id)) : c.before.users;
  expect(guarded(users), `${c.label} changed a guarded column of its caller`).toEqual(guarded(kept));
  // New accounts (sign-up) take the defaults, whatever the body said.
  const { rows: created } = await t.db.query<Record<string, unknown>>(
    'SELECT role, tier, is_active, monthly_token_cap FROM users WHERE NOT (id = ANY($1::uuid[]))',
    [c.before.userIds],
  );
  for (const row of created) expect(row, `${c.label}: a new account`).toEqual({ role: 'user', tier: 'free', is_active: true, monthly_token_cap: null });
  if (users.some((u) => u.id === c.actor.id)) await expectInvariants(t.db, c.actor.id);
}
