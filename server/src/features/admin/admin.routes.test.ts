import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { authHeader, buildTestApp, createUser, type TestApp, type TestUser } from '../../../test/test-app.js';

describe.each(testDbKinds())('admin routes on %s', (kind) => {
  let t: TestApp;
  let admin: TestUser;
  let someone: TestUser;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    admin = await createUser(t.app, { email: `admin-${randomUUID()}@example.com` });
    await t.db.query("UPDATE users SET role = 'admin' WHERE id = $1", [admin.id]);
    someone = await createUser(t.app);
  });
  afterAll(() => t.close());

  const as = (user: TestUser) => authHeader(user);

  it('refuses every admin route with 403 to a regular user and 401 without a session', async () => {
    for (const [method, url] of [
      ['GET', '/api/admin/users'],
      ['PATCH', `/api/admin/users/${someone.id}`],
      ['GET', '/api/admin/usage'],
      ['GET', '/api/admin/audit'],
    ] as const) {
      const forbidden = await t.app.inject({ method, url, headers: as(someone), payload: method === 'PATCH' ? { tier: 'advanced' } : undefined });
      expect(forbidden.statusCode, `${method} ${url}`).toBe(403);
      expect(forbidden.json().code).toBe('FORBIDDEN');
      expect((await t.app.inject({ method, url })).statusCode).toBe(401);
    }
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: as(someone) });
    expect(me.json().tier).toBe('free'); // the refused PATCH changed nothing
  });

  it('lists users with search, paging and this month usage', async () => {
    const requestId = randomUUID();
    await t.app.usage.reserve({ user: { id: someone.id }, requestId, model: 'demo', promptTokens: 1, maxOutputTokens: 1 });
    await t.app.usage.settle({ requestId, userId: someone.id, model: 'demo', inputTokens: 7, outputTokens: 8, source: 'provider', outcome: 'complete' });
    const res = await t.app.inject({ method: 'GET', url: `/api/admin/users?q=${encodeURIComponent(someone.email)}`, headers: as(admin) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ total: 1, items: [{ id: someone.id, usage: { used: 15, limit: 100_000 } }] });
    expect(JSON.stringify(res.json())).not.toContain('password');
    const page = await t.app.inject({ method: 'GET', url: '/api/admin/users?limit=1&offset=1', headers: as(admin) });
    expect(page.json().items).toHaveLength(1);
    expect(page.json().total).toBeGreaterThanOrEqual(2);
    const bad = await t.app.inject({ method: 'GET', url: '/api/admin/users?limit=0', headers: as(admin) });
    expect(bad.statusCode).toBe(422);
  });

  it("changes a user's tier (setting tier_updated_at) and writes the audit log with before and after", async () => {
    const res = await t.app.inject({ method: 'PATCH', url: `/api/admin/users/${someone.id}`, headers: as(admin), payload: { tier: 'builder' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ tier: 'builder' });
    expect(res.json().tier_updated_at).not.toBeNull();
    const audit = await t.app.inject({ method: 'GET', url: '/api/admin/audit', headers: as(admin) });
    expect(audit.json().items[0]).toMatchObject({
      actor_email: admin.email,
      action: 'user.update',
      target_user_id: someone.id,
      before: { tier: 'free' },
      after: { tier: 'builder' },
    });
    const limits = await t.app.inject({ method: 'GET', url: '/api/usage', headers: as(someone) });
    expect(limits.json()).toMatchObject({ tier: 'builder', limit: 5_000_000 }); // on the very next request
  });

  it('deactivates a user: their tokens stop working at once and their refresh tokens are revoked', async () => {
    const victim = await createUser(t.app);
    const res = await t.app.inject({ method: 'PATCH', url: `/api/admin/users/${victim.id}`, headers: as(admin), payload: { is_active: false } });
    expect(res.json().is_active).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: as(victim) })).statusCode).toBe(401);
    const refresh = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', cookies: { refresh_token: victim.refreshCookie } });
    expect(refresh.statusCode).toBe(401);
  });

  it('answers 404 for an unknown user, 422 for a malformed id or an empty or unknown change', async () => {
    expect((await t.app.inject({ method: 'PATCH', url: `/api/admin/users/${randomUUID()}`, headers: as(admin), payload: { tier: 'free' } })).statusCode).toBe(
      404,
    );
    expect((await t.app.inject({ method: 'PATCH', url: '/api/admin/users/not-a-uuid', headers: as(admin), payload: { tier: 'free' } })).statusCode).toBe(422);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/admin/users/${someone.id}`, headers: as(admin), payload: {} })).statusCode).toBe(422);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/admin/users/${someone.id}`, headers: as(admin), payload: { tier: 'platinum' } })).statusCode).toBe(
      422,
    );
    expect((await t.app.inject({ method: 'PATCH', url: `/api/admin/users/${someone.id}`, headers: as(admin), payload: { email: 'x@y.z' } })).statusCode).toBe(
      422,
    );
  });

  it('does not let an admin deactivate or demote themselves', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: `/api/admin/users/${admin.id}`, headers: as(admin), payload: { is_active: false } });
    expect(res.statusCode).toBe(403);
  });

  it('shows usage totals by tier, model and day', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/admin/usage', headers: as(admin) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.totals.total_tokens).toBeGreaterThanOrEqual(15);
    expect(body.by_tier.map((x: { tier: string }) => x.tier)).toEqual(expect.arrayContaining(['free', 'builder']));
    expect(body.by_model).toEqual(expect.arrayContaining([expect.objectContaining({ model: 'demo' })]));
    expect(body.by_day.length).toBeGreaterThanOrEqual(1);
  });
});

describe.each(testDbKinds())('admin totals on %s', (kind) => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    admin = await createUser(t.app, { email: `admin-${randomUUID()}@example.com` });
    await t.db.query("UPDATE users SET role = 'admin' WHERE id = $1", [admin.id]);
  });
  afterAll(() => t.close());

  const record = async (userId: string, inputTokens: number, outputTokens: number, team?: { id: string; tier: 'builder' }) => {
    const requestId = randomUUID();
    const charge = team && { team: { ...team, member_cap: null } };
    await t.app.usage.reserve({ user: { id: userId }, requestId, model: 'demo', promptTokens: 1, maxOutputTokens: 1, ...(charge && { charge }) });
    await t.app.usage.settle({ requestId, userId, teamId: team?.id, model: 'demo', inputTokens, outputTokens, source: 'provider', outcome: 'complete' });
  };

  it('sums each tier over all its accounts, those without usage counted as users', async () => {
    const [a, b, c] = [await createUser(t.app), await createUser(t.app), await createUser(t.app)];
    await t.services.users.updateUser(b.id, { tier: 'starter' });
    await t.services.users.updateUser(c.id, { tier: 'starter' });
    await record(a.id, 10, 5);
    await record(b.id, 7, 8);
    await record(b.id, 1, 1);

    const body = (await t.app.inject({ method: 'GET', url: '/api/admin/usage', headers: authHeader(admin) })).json();
    expect(body.by_tier).toEqual([
      { tier: 'free', users: 2, teams: 0, total_tokens: 15, cost_usd: 0, requests: 1 },
      { tier: 'starter', users: 2, teams: 0, total_tokens: 17, cost_usd: 0, requests: 2 },
    ]);
    expect(body.totals).toEqual({ total_tokens: 32, cost_usd: 0, requests: 3 });
  });

  it("lists each user's usage against their own limit, personal caps included", async () => {
    const capped = await createUser(t.app);
    await t.app.inject({ method: 'PUT', url: '/api/usage/cap', headers: authHeader(capped), payload: { monthly_token_cap: 5000 } });
    await record(capped.id, 20, 2);
    const res = await t.app.inject({ method: 'GET', url: '/api/admin/users?limit=2&offset=0', headers: authHeader(admin) });
    expect(res.json().total).toBe(5);
    expect(res.json().items).toHaveLength(2);
    expect(res.json().items[0]).toMatchObject({ id: capped.id, usage: { used: 22, reserved: 0, limit: 5000 } });
    const empty = await t.app.inject({ method: 'GET', url: '/api/admin/users?limit=2&offset=10', headers: authHeader(admin) });
    expect(empty.json()).toEqual({ total: 5, items: [] });
  });

  it("counts a team's pool under the team's tier, beside its members' personal use, in the totals as in by_model", async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/api/admin/usage', headers: authHeader(admin) })).json();
    const member = await createUser(t.app);
    const teamId = (await t.app.inject({ method: 'POST', url: '/api/teams', headers: authHeader(member), payload: { name: 'Lab' } })).json<{ id: string }>().id;
    await t.db.query("UPDATE teams SET tier = 'builder' WHERE id = $1", [teamId]);
    await record(member.id, 30, 20, { id: teamId, tier: 'builder' });
    await record(member.id, 1, 2);

    const body = (await t.app.inject({ method: 'GET', url: '/api/admin/usage', headers: authHeader(admin) })).json();
    const tier = (b: typeof body, name: string) => b.by_tier.find((x: { tier: string }) => x.tier === name);
    expect(tier(body, 'builder')).toEqual({ tier: 'builder', users: 0, teams: 1, total_tokens: 50, cost_usd: 0, requests: 1 });
    expect(tier(body, 'free')).toMatchObject({ users: tier(before, 'free').users + 1, total_tokens: tier(before, 'free').total_tokens + 3 });
    expect(body.totals.total_tokens).toBe(before.totals.total_tokens + 53);
    const modelTokens = body.by_model.reduce((n: number, m: { total_tokens: number }) => n + m.total_tokens, 0);
    expect(body.totals.total_tokens).toBe(modelTokens);
  });
});
