// The fuzz run: fast-check draws groups of requests (valid ones, then mutations of valid ones, from
// every operation of the OpenAPI document), sends each group over HTTP and checks every answer
// (verdict.ts) and, for a group the server refused entirely, that no table changed. A failure is
// shrunk by fast-check to the smallest group and request that still fails, and reported with the
// seed and path that replay it (README.md).
import fc from 'fast-check';
import { BODY_MUTATIONS } from './body-mutations.js';
import { changedTables, snapshot, snapshotQuery, tablesOf, type Snapshot } from './db-snapshot.js';
import { restoreCredentials, type Fixtures } from './fixtures.js';
import type { Operation } from './openapi-operations.js';
import { describeRequest, render, type FuzzRequest, type RequestParts, type Who } from './request.js';
import { send, type Outcome } from './send.js';
import { rawRequest, TRANSPORT_MUTATIONS } from './transport-mutations.js';
import { credentialHeaders, validParts, validWho } from './valid-requests.js';
import { isRefusal, problemsWith } from './verdict.js';

export const GROUP_SIZE = 10;
/** A route that takes a password hashes or verifies it: argon2id, tens of milliseconds of CPU. */
const hashesPassword = (op: Operation) => Object.values(op.bodies).some((schema) => Object.keys(schema.properties ?? {}).some((name) => /password/.test(name)));
const CONCURRENCY = 6;

export interface FuzzOptions {
  requests: number;
  timeLimitMs: number;
  seed?: number;
  path?: string;
}

export interface FuzzStats {
  requests: number;
  routes: Map<string, number>;
  /** Milliseconds spent per route, to see where a run's time goes. */
  routeMs: Map<string, number>;
  kinds: Map<string, number>;
  statuses: Map<number, number>;
  validSucceeded: number;
  valid: number;
  /** Refused requests in groups refused entirely, whose tables were compared before and after. */
  refusalsCompared: number;
  refusals: number;
  /** Sessions, accounts or keys of the run's own users that valid requests ended, and were restored. */
  restored: number;
  /** Where the run's wall time went, in ms: sending and reading, database checks, restoring. */
  phaseMs: { send: number; check: number; restore: number };
}

const anyWho: fc.Arbitrary<Who> = fc.oneof({ weight: 3, arbitrary: validWho }, { weight: 1, arbitrary: fc.constantFrom<Who>('invalid', 'none', 'wrong-kind') });

function finish(f: Fixtures, parts: RequestParts, kind: string): FuzzRequest {
  return render({ ...parts, headers: { ...credentialHeaders(f, parts.op, parts.who), ...parts.headers } }, kind);
}

const isStream = (r: FuzzRequest) => r.route === 'POST /api/chat' || (r.route === 'POST /v1/chat/completions' && String(r.body).includes('"stream":true'));

// Routes that hash a password (argon2id, tens of milliseconds of CPU each) are drawn less often:
// they are still fuzzed many times in a long run, and the run stays within its time.
const drawWeight = (op: Operation) => (hashesPassword(op) ? 1 : 10);
/** How often each kind of request is drawn: valid, a mutation of a valid one, raw HTTP, a stream dropped after its first chunk. */
const KIND_WEIGHTS = { valid: 6, mutated: 24, raw: 2, aborted: 1 };

/**
 * How many times a run of `requests` is expected to draw each operation ("GET /api/x"): every kind
 * of request but the dropped stream draws its operation by drawWeight.
 */
export function expectedDraws(operations: Operation[], requests: number): Map<string, number> {
  const total = operations.reduce((sum, op) => sum + drawWeight(op), 0);
  const drawnByWeight =
    (requests * (KIND_WEIGHTS.valid + KIND_WEIGHTS.mutated + KIND_WEIGHTS.raw)) /
    (KIND_WEIGHTS.valid + KIND_WEIGHTS.mutated + KIND_WEIGHTS.raw + KIND_WEIGHTS.aborted);
  return new Map(operations.map((op) => [`${op.method} ${op.path}`, (drawnByWeight * drawWeight(op)) / total]));
}

export function requestArbitrary(f: Fixtures, operations: Operation[]): fc.Arbitrary<FuzzRequest> {
  const weighted = operations.map((op) => ({ weight: drawWeight(op), arbitrary: fc.constant(op) }));
  const parts = fc.oneof(...weighted).chain((op) => validParts(f, op));
  const valid = parts.map((p) => finish(f, p, 'valid'));
  const mutations = [...BODY_MUTATIONS, ...TRANSPORT_MUTATIONS];
  const mutated = fc
    .tuple(parts, anyWho, fc.constantFrom(...mutations))
    .chain(([p, who, mutation]) => mutation.arb({ ...p, who }).map((m) => finish(f, m, mutation.name)));
  const raw = fc.tuple(parts, anyWho).chain(([p, who]) => {
    const request = finish(f, { ...p, who }, 'raw-http');
    return rawRequest(p, request.url, request.headers.authorization).map((text) => ({ ...request, raw: text }));
  });
  const aborted = valid.filter(isStream).map((r) => ({ ...r, kind: 'abort-stream', abortAfterFirstChunk: true }));
  return fc.oneof(
    { weight: KIND_WEIGHTS.valid, arbitrary: valid },
    { weight: KIND_WEIGHTS.mutated, arbitrary: mutated },
    { weight: KIND_WEIGHTS.raw, arbitrary: raw },
    { weight: KIND_WEIGHTS.aborted, arbitrary: aborted },
  );
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Waits until no model call is in flight (a stream the client dropped is settled in the
 * background) and the tables have stopped changing (work a route left running after its answer,
 * such as a mail token written after sign-up): answers the settled snapshot.
 */
async function settled(f: Fixtures, query: string): Promise<Snapshot> {
  await quiesce(f);
  let previous = await snapshot(f.t.db, query);
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const current = await snapshot(f.t.db, query);
    if (!changedTables(previous, current).length) return current;
    previous = current;
  }
  return previous;
}

async function quiesce(f: Fixtures): Promise<void> {
  // Chat replies outlive their connections (decision 014): one a dropped stream left running may
  // take longer than the loop below waits, so wait for this process's replies to end first.
  await f.t.services.chat.replies.settled();
  for (let i = 0; i < 250; i++) {
    const { rows } = await f.t.db.query<{ busy: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM usage_reservations) OR EXISTS (SELECT 1 FROM messages WHERE status = 'streaming') AS busy`,
    );
    if (!rows[0]?.busy) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function count<K>(map: Map<K, number>, key: K) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export async function fuzz(f: Fixtures, operations: Operation[], options: FuzzOptions): Promise<{ stats: FuzzStats; failure?: string }> {
  const stats: FuzzStats = {
    requests: 0,
    routes: new Map(),
    routeMs: new Map(),
    kinds: new Map(),
    statuses: new Map(),
    validSucceeded: 0,
    valid: 0,
    refusalsCompared: 0,
    refusals: 0,
    restored: 0,
    phaseMs: { send: 0, check: 0, restore: 0 },
  };
  const query = snapshotQuery(await tablesOf(f.t.db));
  let last: Snapshot | undefined;

  const record = (r: FuzzRequest, out: Outcome) => {
    stats.requests += 1;
    count(stats.routes, r.route);
    stats.routeMs.set(r.route, (stats.routeMs.get(r.route) ?? 0) + out.ms);
    count(stats.kinds, r.kind);
    count(stats.statuses, out.status);
    if (r.kind === 'valid') {
      stats.valid += 1;
      if (out.status >= 200 && out.status < 300) stats.validSucceeded += 1;
    }
    if (isRefusal(out)) stats.refusals += 1;
  };

  const property = fc.asyncProperty(fc.array(requestArbitrary(f, operations), { minLength: 1, maxLength: GROUP_SIZE }), async (group) => {
    let at = performance.now();
    const lap = (phase: keyof FuzzStats['phaseMs']) => {
      stats.phaseMs[phase] += performance.now() - at;
      at = performance.now();
    };
    const before = last ?? (await settled(f, query));
    lap('check');
    const outcomes = await mapLimit(group, CONCURRENCY, (r) => send(f.baseUrl, r));
    lap('send');
    group.forEach((r, i) => record(r, outcomes[i]!));
    const problems = group.flatMap((r, i) => problemsWith(r, outcomes[i]!).map((p) => `${p}\n  for ${r.kind} ${r.method} ${r.url.slice(0, 200)}`));
    last = undefined;
    if (outcomes.every(isRefusal)) {
      const after = await snapshot(f.t.db, query);
      const changed = changedTables(before, after);
      if (changed.length) problems.push(`refused requests changed ${changed.join(', ')}`);
      else stats.refusalsCompared += group.length;
      last = after;
    }
    lap('check');
    // A valid credential refused as such means a valid request ended it (a logout everywhere, a
    // deleted account, a revoked key): only then are the run's credentials checked and restored.
    const lostCredential = group.some((r, i) => ['user', 'exhausted', 'admin'].includes(r.who) && outcomes[i]!.status === 401);
    if (lostCredential) {
      const restored = await restoreCredentials(f);
      stats.restored += restored;
      // The harness's own writes (a new login, account or key): the next group must not compare
      // against the snapshot taken before them.
      if (restored) last = undefined;
    }
    lap('restore');
    if (problems.length) throw new Error(problems.join('\n'));
  });

  // Rounds of fast-check runs until the count is reached: a group's length shrinks on failure, so
  // groups vary in length and the number of runs a count takes is only known as they go.
  const started = Date.now();
  let details: fc.RunDetails<[FuzzRequest[]]> | undefined;
  while (!details?.failed && stats.requests < options.requests) {
    const left = options.timeLimitMs - (Date.now() - started);
    if (left <= 0) break;
    details = await fc.check(property, {
      numRuns: Math.max(1, Math.ceil((options.requests - stats.requests) / ((GROUP_SIZE + 1) / 2))),
      interruptAfterTimeLimit: left,
      ...(options.seed !== undefined && { seed: options.seed }),
      ...(options.path !== undefined && { path: options.path }),
    });
    if (options.seed !== undefined) break;
  }
  if (!details?.failed) return { stats };
  if (!details.failed) return { stats };
  const [group] = details.counterexample ?? [[]];
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return {
    stats,
    failure: [
      `The fuzz run failed after ${details.numRuns} groups (shrunk ${details.numShrinks} times).`,
      `Replay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath} FUZZ_DB=${f.t.database.kind} npm run test:reliability -- fuzz`,
      error,
      `The shrunk group (${group.length} requests):`,
      ...group.map(describeRequest),
    ].join('\n'),
  };
}
