// Calls charged to a team: the chat with team_id and a team's API key on /v1 reserve against the
// team's pool and the member's cap (and the key's), never the member's personal month; refusals
// name the level; the team's admins see usage by member and by model, a member their own; the
// site admin lists teams and sets a team's tier, audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { budgetProblems, expectInvariants, teamPoolProblems } from '../../../test/invariants.js';
import { authHeader, buildTestApp, createUser, type TestApp, type TestUser } from '../../../test/test-app.js';

const POOL = 4_000;

describe.each(testDbKinds())('team budgets on %s', (kind) => {
  let t: TestApp;
  let siteAdmin: TestUser;
  beforeAll(async () => {
    t = await buildTestApp(kind, { env: { DEMO_TOKEN_DELAY_MS: '0', TIER_FREE_MONTHLY_TOKENS: String(POOL), TIER_FREE_REQUESTS_PER_MINUTE: '1000' } });
    siteAdmin = await createUser(t.app);
    await t.db.query("UPDATE users SET role = 'admin' WHERE id = $1", [siteAdmin.id]);
  });
  afterAll(() => t.close());

  const call = (user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: authHeader(user), ...(payload && { payload }) });
  const chat = (user: TestUser, teamId?: string) =>
    call(user, 'POST', '/api/chat', { model: 'demo', content: 'Tell me a long story, please.', ...(teamId && { team_id: teamId }) });
  const complete = (key: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}` },
      payload: { model: 'demo', messages: [{ role: 'user', content: 'Tell me a long story, please.' }], max_tokens: 300 },
    });

  /** A team of an owner and a member who joined by invitation. */
  async function teamOfTwo() {
    const owner = await createUser(t.app);
    const member = await createUser(t.app);
    const teamId = (await call(owner, 'POST', '/api/teams', { name: 'Lab' })).json<{ id: string }>().id;
    const link = (await call(owner, 'POST', `/api/teams/${teamId}/invitations`, { email: member.email })).json<{ link: string }>().link;
    expect((await call(member, 'POST', '/api/teams/join', { token: link.split('#token=')[1] })).statusCode).toBe(200);
    return { owner, member, teamId };
  }
  const checkBudgets = async () => {
    expect(await budgetProblems(t.db)).toEqual([]);
    expect(await teamPoolProblems(t.db, (tier) => t.services.teams.poolOf(tier as 'free'))).toEqual([]);
  };

  it("charges a chat with team_id to the team's pool and the member's share, not the personal month; records carry the team", async () => {
    const { owner, member, teamId } = await teamOfTwo();
    expect((await chat(member, teamId)).statusCode).toBe(200);
    expect((await chat(member)).statusCode).toBe(200);
    const { rows } = await t.db.query<{ team_id: string | null }>('SELECT team_id FROM usage_records WHERE user_id = $1 ORDER BY created_at', [member.id]);
    expect(rows.map((r) => r.team_id).sort()).toEqual([null, teamId].sort());
    // The personal month holds the personal call only, and equals its records.
    await expectInvariants(t.db, member.id, { calls: 1 });
    const personal = (await call(member, 'GET', '/api/usage')).json();
    expect(personal.requests).toBe(1);

    const asAdmin = (await call(owner, 'GET', `/api/teams/${teamId}/usage`)).json();
    expect(asAdmin.pool).toMatchObject({ limit: POOL, requests: 1, reserved: 0 });
    expect(asAdmin.pool.used).toBeGreaterThan(0);
    expect(asAdmin.by_member.map((m: { user_id: string }) => m.user_id).sort()).toEqual([owner.id, member.id].sort());
    expect(asAdmin.by_member.find((m: { user_id: string }) => m.user_id === member.id)).toMatchObject({ used: asAdmin.pool.used, requests: 1 });
    expect(asAdmin.by_model).toEqual([expect.objectContaining({ model: 'demo', requests: 1, total_tokens: asAdmin.pool.used })]);
    // A member sees the pool and their own use only.
    expect((await chat(owner, teamId)).statusCode).toBe(200);
    const asMember = (await call(member, 'GET', `/api/teams/${teamId}/usage`)).json();
    expect(asMember.by_member).toEqual([expect.objectContaining({ user_id: member.id, requests: 1 })]);
    expect(asMember.by_model).toEqual([expect.objectContaining({ requests: 1 })]);
    expect(asMember.pool.requests).toBe(2);
    await checkBudgets();
  });

  it("clamps to the member's cap and then refuses with level member_cap, while the others still use the pool", async () => {
    const { owner, member, teamId } = await teamOfTwo();
    expect((await call(owner, 'PATCH', `/api/teams/${teamId}/members/${member.id}`, { monthly_token_cap: 200 })).statusCode).toBe(200);
    let refused;
    for (let i = 0; i < 10 && !refused; i++) {
      const res = await chat(member, teamId);
      if (res.statusCode === 429) refused = res.json();
      else expect(res.statusCode).toBe(200);
    }
    expect(refused).toMatchObject({ code: 'QUOTA_EXCEEDED', level: 'member_cap', limit: 200 });
    expect(refused.detail).toContain('your monthly cap of 200 tokens in this team');
    const mine = (await call(member, 'GET', `/api/teams/${teamId}/usage`)).json().by_member[0];
    expect(mine.used).toBeLessThanOrEqual(200);
    expect((await chat(owner, teamId)).statusCode).toBe(200);
    // The member's own plan is untouched by the team's cap.
    expect((await chat(member)).statusCode).toBe(200);
    await checkBudgets();
  });

  it("refuses with level team_pool once the pool is spent, for every member; a site admin's tier change raises the pool, audited", async () => {
    const { owner, member, teamId } = await teamOfTwo();
    let refused;
    for (let i = 0; i < 40 && !refused; i++) {
      const res = await chat(i % 2 ? owner : member, teamId);
      if (res.statusCode === 429) refused = res.json();
      else expect(res.statusCode).toBe(200);
    }
    expect(refused).toMatchObject({ code: 'QUOTA_EXCEEDED', level: 'team_pool', limit: POOL });
    await checkBudgets();

    const listed = await call(siteAdmin, 'GET', '/api/admin/teams');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.find((x: { id: string }) => x.id === teamId)).toMatchObject({ name: 'Lab', tier: 'free', members: 2, usage: { limit: POOL } });
    expect((await call(owner, 'PATCH', `/api/admin/teams/${teamId}`, { tier: 'starter' })).statusCode).toBe(403);
    const raised = await call(siteAdmin, 'PATCH', `/api/admin/teams/${teamId}`, { tier: 'starter' });
    expect(raised.statusCode).toBe(200);
    expect(raised.json()).toMatchObject({ id: teamId, tier: 'starter', tier_updated_at: expect.any(String) });
    expect((await call(member, 'GET', `/api/teams/${teamId}`)).json().tier).toBe('starter');
    expect((await chat(member, teamId)).statusCode).toBe(200);
    const audit = (await call(siteAdmin, 'GET', '/api/admin/audit')).json().items[0];
    expect(audit).toMatchObject({
      action: 'team.tier',
      target_team_id: teamId,
      actor_email: siteAdmin.email,
      before: { tier: 'free' },
      after: { tier: 'starter' },
      cause: 'admin',
    });
    expect((await call(siteAdmin, 'PATCH', '/api/admin/teams/00000000-0000-4000-8000-000000000000', { tier: 'starter' })).statusCode).toBe(404);
  });

  it("charges a team key's /v1 calls to the team and the key's cap at once, and refuses the key once its owner has left the team", async () => {
    const { owner, member, teamId } = await teamOfTwo();
    const created = await call(member, 'POST', '/api/keys', { name: 'lab bot', team_id: teamId, monthly_token_cap: 700 });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ team_id: teamId, monthly_token_cap: 700 });
    const { key, id } = created.json<{ key: string; id: string }>();
    let refused;
    for (let i = 0; i < 10 && !refused; i++) {
      const res = await complete(key);
      if (res.statusCode === 429) refused = res.json();
      else expect(res.statusCode).toBe(200);
    }
    expect(refused).toMatchObject({ error: { code: 'insufficient_quota', level: 'key_cap' } });
    const { rows } = await t.db.query<{ team_id: string; key_id: string }>('SELECT DISTINCT team_id, key_id FROM usage_records WHERE user_id = $1', [
      member.id,
    ]);
    expect(rows).toEqual([{ team_id: teamId, key_id: id }]);
    await expectInvariants(t.db, member.id, { calls: 0 }); // nothing on the personal month
    await checkBudgets();

    expect((await call(owner, 'DELETE', `/api/teams/${teamId}/members/${member.id}`)).statusCode).toBe(204);
    const gone = await complete(key);
    expect(gone.statusCode).toBe(401);
    expect(gone.json().error).toMatchObject({ code: 'invalid_api_key', message: expect.stringContaining('no longer a member') });
  });
  it("moves a key between its owner's plan and a team of theirs (PATCH team_id), never to a team they are not in", async () => {
    const { member, teamId } = await teamOfTwo();
    const stranger = await teamOfTwo();
    const { key, id } = (await call(member, 'POST', '/api/keys', { name: 'moving' })).json<{ key: string; id: string }>();
    const chargedTo = async () => {
      expect((await complete(key)).statusCode).toBe(200);
      const { rows } = await t.db.query<{ team_id: string | null }>('SELECT team_id FROM usage_records WHERE key_id = $1 ORDER BY created_at DESC LIMIT 1', [
        id,
      ]);
      return rows[0]!.team_id;
    };
    expect(await chargedTo()).toBeNull();

    const moved = await call(member, 'PATCH', `/api/keys/${id}`, { team_id: teamId });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ id, team_id: teamId });
    expect(await chargedTo()).toBe(teamId);

    const elsewhere = await call(member, 'PATCH', `/api/keys/${id}`, { team_id: stranger.teamId });
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.json()).toMatchObject({ code: 'TEAM_NOT_FOUND' });
    expect((await call(member, 'PATCH', `/api/keys/${id}`, { team_id: 'not-a-uuid' })).statusCode).toBe(422);

    expect((await call(member, 'PATCH', `/api/keys/${id}`, { team_id: null })).json()).toMatchObject({ team_id: null });
    expect(await chargedTo()).toBeNull();
    await checkBudgets();
  });
});
