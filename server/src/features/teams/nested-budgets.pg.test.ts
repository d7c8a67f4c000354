// The hard cap of nested budgets across processes (docs/decisions/021): 3 real server processes on
// one PostgreSQL; a team whose members sit near their caps and the pool near its end, two of them
// with team keys near the keys' caps, and all of them calling at once through /api/chat and /v1 on
// every process, in two rounds set up so that each level must refuse calls (member and key caps
// first, then the pool). Afterwards, by SQL: no level (pool, member cap, key cap) over its limit,
// every aggregate (team, member in team, key) equal to the sum of its records, nothing reserved.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, registerAndLogin } from '../../../test/chat-client.js';
import { testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { budgetProblems, teamPoolProblems } from '../../../test/invariants.js';
import { startSharedCluster, type SharedCluster } from '../../../test/shared-cluster.js';
import type { ServerProcess } from '../../../test/spawn-server.js';

const POOL = 40_000;
const MEMBERS = 4;
const MEMBER_CAP = 6_000;
const KEY_CAP = 800;
const ROUNDS = 12;
// PGlite is one process's database; this proof needs a server that several processes share.
const kinds = testDbKinds().filter((k) => k === 'postgres');

describe.each(kinds)('nested budgets across 3 server processes on %s', (kind) => {
  let cluster: SharedCluster;
  let database: TestDatabase;
  let servers: ServerProcess[];

  beforeAll(async () => {
    cluster = await startSharedCluster(kind, { TIER_FREE_MONTHLY_TOKENS: String(POOL) });
    ({ database, servers } = cluster);
  }, 120_000);

  afterAll(() => cluster?.close());

  const api = (server: ServerProcess, token: string, method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });

  it('holds the pool, every member cap and every key cap at once, refusing on each, and every aggregate equals its records', async () => {
    const s0 = servers[0]!;
    const owner = await registerAndLogin(s0.url, `${randomUUID()}@example.com`);
    const teamId = ((await (await api(s0, owner.token, 'POST', '/api/teams', { name: 'Proof' })).json()) as { id: string }).id;
    const members = [owner];
    for (let i = 1; i < MEMBERS; i++) {
      const email = `${randomUUID()}@example.com`;
      const m = await registerAndLogin(servers[i % 3]!.url, email);
      const invited = (await (await api(s0, owner.token, 'POST', `/api/teams/${teamId}/invitations`, { email })).json()) as { link: string };
      expect((await api(servers[i % 3]!, m.token, 'POST', '/api/teams/join', { token: invited.link.split('#token=')[1] })).status).toBe(200);
      members.push(m);
    }
    for (const m of members) {
      expect((await api(s0, owner.token, 'PATCH', `/api/teams/${teamId}/members/${m.userId}`, { monthly_token_cap: MEMBER_CAP })).status).toBe(200);
    }
    // Members 1 and 2 also hold team keys with caps of their own.
    const keys: { key: string; owner: number }[] = [];
    for (const i of [1, 2]) {
      const res = await api(s0, members[i]!.token, 'POST', '/api/keys', { name: `proof ${i}`, team_id: teamId, monthly_token_cap: KEY_CAP });
      expect(res.status).toBe(201);
      keys.push({ key: ((await res.json()) as { key: string }).key, owner: i });
    }

    // Earlier use this month, written as settlement writes it: a record, the member's share, the pool.
    const db = database.db;
    const month = new Date().toISOString().slice(0, 7);
    const earlierUse = async (userId: string, tokens: number) => {
      await db.query(
        `INSERT INTO usage_records (user_id, team_id, month, model, provider, input_tokens, output_tokens, total_tokens) VALUES ($1, $2, $3, 'demo', 'demo', $4, 0, $4)`,
        [userId, teamId, month, tokens],
      );
      await db.query(
        `INSERT INTO team_member_monthly_usage AS m (team_id, user_id, month, input_tokens, total_tokens, request_count) VALUES ($1, $2, $3, $4, $4, 1)
         ON CONFLICT (team_id, user_id, month) DO UPDATE SET input_tokens = m.input_tokens + $4, total_tokens = m.total_tokens + $4, request_count = m.request_count + 1`,
        [teamId, userId, month, tokens],
      );
      await db.query(
        `INSERT INTO team_monthly_usage AS m (team_id, month, input_tokens, total_tokens, request_count) VALUES ($1, $2, $3, $3, 1)
         ON CONFLICT (team_id, month) DO UPDATE SET input_tokens = m.input_tokens + $3, total_tokens = m.total_tokens + $3, request_count = m.request_count + 1`,
        [teamId, month, tokens],
      );
    };
    const poolUsed = async () =>
      (await db.query<{ total: number }>('SELECT total_tokens::int AS total FROM team_monthly_usage WHERE team_id = $1', [teamId])).rows[0]!.total;
    // Member 3 is a breath from their cap; the others, and the pool, far from theirs.
    const nearCap = members[3]!;
    await earlierUse(nearCap.userId, MEMBER_CAP - 150);
    for (const m of members.slice(0, 3)) await earlierUse(m.userId, 1_000);

    const v1 = (server: ServerProcess, key: string) =>
      fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'A long answer, please.' }], max_tokens: 400 }),
      }).then(async (r) => ({ status: r.status, level: ((await r.json()) as { error?: { level?: string } }).error?.level }));
    const teamChat = (server: ServerProcess, m: (typeof members)[number], round: number) =>
      chat(server.url, m.token, { model: 'demo', content: `question ${round}: a long answer, please`, team_id: teamId }).then((o) => ({
        status: o.status,
        level: o.problem?.level as string | undefined,
      }));
    const refusedOn = (outcomes: { status: number; level?: string }[]) => {
      expect(outcomes.every((o) => o.status === 200 || o.status === 429)).toBe(true);
      return new Set(outcomes.filter((o) => o.status === 429).map((o) => o.level));
    };

    // Round 1, everyone at once on every process, the pool's free tokens above every member's and
    // key's: the near-cap member can be refused only on their cap, the key holders only on their keys.
    const first: Promise<{ status: number; level?: string }>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      keys.forEach((k, i) => first.push(v1(servers[(round + i + 1) % 3]!, k.key)));
      first.push(teamChat(servers[round % 3]!, nearCap, round));
      first.push(teamChat(servers[(round + 2) % 3]!, owner, round));
    }
    expect([...refusedOn(await Promise.all(first))].sort()).toEqual(['key_cap', 'member_cap']);
    expect(POOL - (await poolUsed())).toBeGreaterThan(MEMBER_CAP);

    // Round 2: the pool brought down to less than any key holder has left of their cap; they chat
    // at once on every process until the pool is spent, and are refused on the pool alone.
    // (The owner, uncapped now, is the one who spent it.)
    expect((await api(s0, owner.token, 'PATCH', `/api/teams/${teamId}/members/${owner.userId}`, { monthly_token_cap: null })).status).toBe(200);
    await earlierUse(owner.userId, POOL - (await poolUsed()) - 1_500);
    const second: Promise<{ status: number; level?: string }>[] = [];
    for (let round = 0; round < ROUNDS; round++) for (const i of [1, 2]) second.push(teamChat(servers[(round + i) % 3]!, members[i]!, round));
    expect([...refusedOn(await Promise.all(second))]).toEqual(['team_pool']);

    // By SQL: no level over its limit, every aggregate equal to its records, nothing reserved.
    expect(await budgetProblems(db)).toEqual([]);
    expect(await teamPoolProblems(db, () => POOL)).toEqual([]);
    expect(await poolUsed()).toBeLessThanOrEqual(POOL);
    const { rows: caps } = await db.query<{ total: number }>(
      'SELECT total_tokens::int AS total FROM team_member_monthly_usage WHERE team_id = $1 AND user_id <> $2',
      [teamId, owner.userId],
    );
    expect(caps).toHaveLength(MEMBERS - 1);
    for (const c of caps) expect(c.total).toBeLessThanOrEqual(MEMBER_CAP);
    const { rows: keyMonths } = await db.query<{ total: number }>('SELECT total_tokens::int AS total FROM key_monthly_usage');
    expect(keyMonths).toHaveLength(2);
    for (const k of keyMonths) expect(k.total).toBeLessThanOrEqual(KEY_CAP);
    const { rows: left } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_reservations');
    expect(left[0]!.n).toBe(0);
    // The personal months got nothing: every call was the team's.
    const { rows: personal } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_records WHERE team_id IS NULL');
    expect(personal[0]!.n).toBe(0);
    for (const s of servers) expect(s.logs().some((l) => l.route === '/api/chat')).toBe(true);
    expect(servers.filter((s) => s.logs().some((l) => l.route === '/v1/chat/completions')).length).toBeGreaterThan(1);
  }, 240_000);
});
