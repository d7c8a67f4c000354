// The hard cap of nested budgets across processes (docs/decisions/021): 3 real server processes on
// one PostgreSQL; a team whose members sit near their caps and the pool near its end, two of them
// with team keys near the keys' caps, and all of them calling at once through /api/chat and /v1 on
// every process. Afterwards, by SQL: no level (pool, member cap, key cap) over its limit, every
// aggregate (team, member in team, key) equal to the sum of its records, nothing left reserved.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, registerAndLogin } from '../../../test/chat-client.js';
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/databases.js';
import { budgetProblems, teamPoolProblems } from '../../../test/invariants.js';
import { startServer, stopAllProcesses, tempDir, type ServerProcess } from '../../../test/spawn-server.js';

const POOL = 22_000;
const MEMBERS = 4;
const MEMBER_CAP = 6_000;
const KEY_CAP = 800;
const ROUNDS = 12;
// PGlite is one process's database; this proof needs a server that several processes share.
const kinds = testDbKinds().filter((k) => k === 'postgres');

describe.each(kinds)('nested budgets across 3 server processes on %s', (kind) => {
  let database: TestDatabase;
  let servers: ServerProcess[];
  const dir = tempDir();

  beforeAll(async () => {
    database = await createTestDatabase(kind, { migrate: false });
    const env = {
      DATABASE_URL: database.url!,
      DATA_DIR: dir.path,
      JWT_SECRET: 'a-shared-secret-for-all-three-processes!!',
      DEMO_TOKEN_DELAY_MS: '2',
      TIER_FREE_MONTHLY_TOKENS: String(POOL),
      TIER_FREE_REQUESTS_PER_MINUTE: '100000',
      AUTH_RATE_LIMIT_PER_IP: '1000',
      DATABASE_POOL_SIZE: '10',
    };
    servers = await Promise.all([1, 2, 3].map(() => startServer({ env, cwd: dir.path })));
  }, 120_000);

  afterAll(async () => {
    await stopAllProcesses();
    await database?.drop();
    dir.remove();
  });

  const api = (server: ServerProcess, token: string, method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });

  it('holds the pool, every member cap and every key cap at once, and every aggregate equals its records', async () => {
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
    // Two members also hold team keys with caps of their own.
    const keys: { key: string; owner: number }[] = [];
    for (const i of [1, 2]) {
      const res = await api(s0, members[i]!.token, 'POST', '/api/keys', { name: `proof ${i}`, team_id: teamId, monthly_token_cap: KEY_CAP });
      expect(res.status).toBe(201);
      keys.push({ key: ((await res.json()) as { key: string }).key, owner: i });
    }

    // Everyone starts near the limits: earlier use this month, recorded as settlement records it.
    const db = database.db;
    const month = new Date().toISOString().slice(0, 7);
    const earlier = MEMBER_CAP - 2_000;
    for (const m of members) {
      await db.query(
        `INSERT INTO usage_records (user_id, team_id, month, model, provider, input_tokens, output_tokens, total_tokens) VALUES ($1, $2, $3, 'demo', 'demo', $4, 0, $4)`,
        [m.userId, teamId, month, earlier],
      );
      await db.query(
        'INSERT INTO team_member_monthly_usage (team_id, user_id, month, input_tokens, total_tokens, request_count) VALUES ($1, $2, $3, $4, $4, 1)',
        [teamId, m.userId, month, earlier],
      );
    }
    await db.query('INSERT INTO team_monthly_usage (team_id, month, input_tokens, total_tokens, request_count) VALUES ($1, $2, $3, $3, $4)', [
      teamId,
      month,
      earlier * MEMBERS,
      MEMBERS,
    ]);

    const v1 = (server: ServerProcess, key: string) =>
      fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'A long answer, please.' }], max_tokens: 400 }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: { level?: string } } }));

    const calls: Promise<{ status: number; level?: string }>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      keys.forEach((k, i) => calls.push(v1(servers[(round + i + 1) % 3]!, k.key).then((o) => ({ status: o.status, level: o.body.error?.level }))));
      members.forEach((m, i) => {
        const server = servers[(round + i) % 3]!;
        calls.push(
          chat(server.url, m.token, { model: 'demo', content: `question ${round}: a long answer, please`, team_id: teamId }).then((o) => ({
            status: o.status,
            level: o.problem?.level as string | undefined,
          })),
        );
      });
    }
    const outcomes = await Promise.all(calls);
    expect(outcomes.every((o) => o.status === 200 || o.status === 429)).toBe(true);
    const levels = new Set(outcomes.filter((o) => o.status === 429).map((o) => o.level));
    // The limits were really reached, and the refusals say which.
    expect(levels.size).toBeGreaterThan(0);
    for (const level of levels) expect(['team_pool', 'member_cap', 'key_cap']).toContain(level);

    // By SQL: no level over its limit, every aggregate equal to its records, nothing reserved.
    expect(await budgetProblems(db)).toEqual([]);
    expect(await teamPoolProblems(db, () => POOL)).toEqual([]);
    const { rows: pool } = await db.query<{ total: number }>('SELECT total_tokens::int AS total FROM team_monthly_usage WHERE team_id = $1', [teamId]);
    expect(pool[0]!.total).toBeLessThanOrEqual(POOL);
    const { rows: caps } = await db.query<{ total: number }>('SELECT total_tokens::int AS total FROM team_member_monthly_usage WHERE team_id = $1', [teamId]);
    for (const c of caps) expect(c.total).toBeLessThanOrEqual(MEMBER_CAP);
    const { rows: keyMonths } = await db.query<{ total: number }>('SELECT total_tokens::int AS total FROM key_monthly_usage');
    // A key whose calls were all refused (the pool or its owner's cap ran out first) has no month.
    expect(keyMonths.length).toBeLessThanOrEqual(2);
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
