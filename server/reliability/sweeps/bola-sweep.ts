// BOLA: every route that takes an id (in its path or its body), every verb, user B on user A's
// ids answers exactly as on random ids (the same 404 problem, ids aside), and A's rows in every
// table stay byte for byte as they were. Admin routes reach every user's data by design: the
// privilege sweep covers them. Before the ids of A, the sweep finds the requests that carry B's
// own ids through (2xx): a request refused for another reason would prove nothing.
import { describe, expect, it } from 'vitest';
import { CAPABILITY_PARAMS, freshIds, idSlotsOf, isCapabilityParam, randomIds, type Ids, type IdSlot } from './ids.js';
import { HTTP_METHODS, urlOf, type HttpMethod, type Operation } from './operations.js';
import { bearer, bodiesFor, idBodiesFor, injectOptions, type SweepRequest } from './requests.js';
import { normalised, refusalProblem } from './shapes.js';
import { changedTables, databaseSnapshot, userSnapshot } from './snapshots.js';
import type { Sweep, SweepUser } from './world.js';

export const bolaCounts = { routes: 0, cases: 0 };

type Body = Record<string, unknown> | undefined;

export function describeBolaSweep(sweep: () => Sweep, operations: Operation[]) {
  const swept = operations.filter((op) => !op.admin && idSlotsOf(op).slots.length > 0);
  describe("BOLA: user B on user A's ids", () => {
    it('knows the kind of every id the document takes (ids.ts ID_KINDS)', () => {
      expect(operations.flatMap((op) => idSlotsOf(op).unknown)).toEqual([]);
    });

    for (const op of swept) {
      it(`${op.name} answers B on A's ids as on random ids and leaves A's rows as they were`, async () => {
        const { slots, unknown } = idSlotsOf(op);
        expect(unknown, 'ids the sweep cannot fill: add their kind to ID_KINDS in ids.ts').toEqual([]);
        const reaching = await ownRequestsThatReach(sweep(), op, slots);
        for (const { body, used } of reaching) {
          for (const variant of nonEmptySubsets(used)) await expectSameAsRandom(sweep(), op, slots, { body, used, variant });
        }
        bolaCounts.routes += 1;
      });
    }

    // Reads that take no id (lists, searches, reports) show B nothing of A's.
    for (const op of operations.filter((o) => !o.admin && o.method === 'GET' && o.pathParams.length === 0 && o.credential !== 'none')) {
      it(`${op.name} shows B none of A's ids or email`, async () => {
        const { t, world } = sweep();
        const { a, b } = world;
        const res = await t.app.inject({ method: 'GET', url: op.path, headers: { authorization: credentialOf(op, b) } });
        expect(res.statusCode, `${op.name} as B: ${res.body.slice(0, 200)}`).toBeLessThan(300);
        const secrets = [...Object.values(a.ids).filter(Boolean), ...Object.values(a.capabilities), a.email, a.key.key];
        expect(
          secrets.filter((s) => res.body.includes(s)),
          `${op.name} as B shows A's`,
        ).toEqual([]);
        bolaCounts.cases += 1;
      });
    }

    // A capability in the path (a shared link's token) is its own permission: a made-up one is a
    // 404 that changes nothing, and A's live one is read by B as by anyone.
    for (const op of operations.filter((o) => o.pathParams.some(isCapabilityParam))) {
      it(`${op.name} answers a made-up ${op.pathParams.filter(isCapabilityParam).join(' and ')} with 404 and changes nothing`, async () => {
        const { t, world, tables } = sweep();
        const { slots } = idSlotsOf(op);
        const ids = Object.fromEntries(slots.map((s) => [s.name, world.b.ids[s.kind]]));
        const url = (values: Record<string, string>) => urlOf(op, { ...ids, ...values });
        const headers = op.credential === 'none' ? {} : { authorization: credentialOf(op, world.b) };
        const madeUp = Object.fromEntries(op.pathParams.filter(isCapabilityParam).map((p) => [p, CAPABILITY_PARAMS[p].madeUp]));
        const before = await databaseSnapshot(t.db, tables);
        const refused = await t.app.inject({ method: op.method, url: url(madeUp), headers });
        expect(refusalProblem(op.path, refused, [404]), `${op.name} with a made-up value`).toBeUndefined();
        expect(changedTables(before, await databaseSnapshot(t.db, tables)), `${op.name} changed the database`).toEqual({});
        const live = Object.fromEntries(op.pathParams.filter(isCapabilityParam).map((p) => [p, world.a.capabilities[p]]));
        const reached = await t.app.inject({ method: op.method, url: url(live), headers });
        expect(reached.statusCode, `${op.name} with A's live value: ${reached.body.slice(0, 200)}`).toBeLessThan(300);
        bolaCounts.cases += 2;
      });
    }

    // Verbs the document does not list on an id path: the same answer for A's ids as for random.
    const byPath = new Map<string, Operation[]>();
    for (const op of swept.filter((o) => o.pathParams.length > 0)) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
    for (const [path, ops] of byPath) {
      for (const method of HTTP_METHODS.filter((m) => !ops.some((o) => o.method === m))) {
        it(`${method} ${path} (not in the document) answers B on A's ids as on random ids`, async () => {
          const op = { ...ops[0]!, method, name: `${method} ${path}`, jsonBody: undefined };
          const { slots } = idSlotsOf(op);
          await expectSameAsRandom(sweep(), op, slots, { body: undefined, used: slots, variant: slots, undeclared: true });
        });
      }
    }
  });
}

const credentialOf = (op: Operation, user: SweepUser) => bearer(op.credential === 'apiKey' ? user.key.key : user.accessToken);

/** The slots a request fills: the path's, and the body's id fields it carries. */
const slotsIn = (slots: IdSlot[], body: Body) => slots.filter((s) => s.in === 'path' || (body !== undefined && s.name in body));

/** The candidate requests that B's own, new ids carry through (2xx); fails when none does. */
async function ownRequestsThatReach({ t, world: { b } }: Sweep, op: Operation, slots: IdSlot[]) {
  const bodyIdFields = slots.filter((s) => s.in === 'body').map((s) => s.name);
  const candidates: Body[] = !op.jsonBody ? [undefined] : bodyIdFields.length > 0 ? idBodiesFor(op, b, bodyIdFields) : bodiesFor(op, b);
  const kinds = new Set(slots.map((s) => s.kind));
  const reaching: { body: Body; used: IdSlot[] }[] = [];
  const refused: string[] = [];
  let own = await freshIds(t, b, kinds);
  for (const body of candidates) {
    const used = slotsIn(slots, body);
    if (used.length === 0) continue;
    const ids = Object.fromEntries(used.map((s) => [s.name, own[s.kind]!]));
    const res = await t.app.inject(injectOptions(op, slots, { authorization: credentialOf(op, b), ids, body }));
    if (res.statusCode >= 200 && res.statusCode < 300) {
      reaching.push({ body, used });
      own = await freshIds(t, b, kinds); // that request may have used them up (DELETE, edit)
    } else refused.push(`${res.statusCode} for ${JSON.stringify(body ?? null)}: ${res.body.slice(0, 200)}`);
  }
  expect(
    reaching.length,
    `no request with B's own ids succeeds on ${op.name}, so the sweep proves nothing there; refused:\n${refused.join('\n')}`,
  ).toBeGreaterThan(0);
  return reaching;
}

interface Case {
  body: Body;
  used: IdSlot[];
  /** The slots that hold A's id (or a random one); the others hold B's own. */
  variant: IdSlot[];
  undeclared?: boolean;
}

async function expectSameAsRandom({ t, world: { a, b }, tables }: Sweep, op: Operation & { method: HttpMethod }, slots: IdSlot[], c: Case) {
  const random = randomIds();
  const idsWith = (other: Ids) => Object.fromEntries(c.used.map((s) => [s.name, (c.variant.includes(s) ? other : b.ids)[s.kind]]));
  const request = (ids: Record<string, string>): SweepRequest => ({ authorization: credentialOf(op, b), ids, body: c.body });
  const label = `${op.name} with A's ${c.variant.map((s) => s.name).join(' and ')} ${JSON.stringify(c.body ?? null)}`;

  const before = await userSnapshot(t.db, tables, a.id);
  const onA = await t.app.inject(injectOptions(op, slots, request(idsWith(a.ids))));
  const onRandom = await t.app.inject(injectOptions(op, slots, request(idsWith(random))));
  const after = await userSnapshot(t.db, tables, a.id);

  const replaced = (ids: Ids) => c.variant.map((s) => ids[s.kind]);
  expect(normalised(onA, replaced(a.ids)), `${label}: B on A's ids answers otherwise than on random ids`).toEqual(normalised(onRandom, replaced(random)));
  expect(refusalProblem(op.path, onRandom, c.undeclared ? [404, 405] : [404]), label).toBeUndefined();
  expect(changedTables(before, after), `${label} changed A's rows`).toEqual({});
  bolaCounts.cases += 1;
}

function nonEmptySubsets<T>(items: T[]): T[][] {
  return items.reduce<T[][]>((acc, item) => [...acc, ...acc.map((s) => [...s, item])], [[]]).filter((s) => s.length > 0);
}
