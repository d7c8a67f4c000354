import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { expect, it } from 'vitest';
import { tokenInMail } from '../../../test/smtp-inbox.js';
import { authHeader, createApiKey, createUser, uniqueEmail, type TestUser } from '../../../test/test-app.js';
import type { AccountsContext } from './accounts.test-support.js';

export function deleteAccountCases(ctx: AccountsContext) {
  const inject = (options: InjectOptions) => ctx.t.app.inject(options);
  const remove = (user: { accessToken: string }, password: string) =>
    inject({ method: 'DELETE', url: '/api/auth/account', headers: authHeader(user), payload: { password } });

  async function spend(userId: string, tokens: number) {
    const requestId = randomUUID();
    await ctx.t.app.usage.reserve({ user: { id: userId }, requestId, model: 'demo', promptTokens: 1, maxOutputTokens: 1 });
    await ctx.t.app.usage.settle({ requestId, userId, model: 'demo', inputTokens: tokens, outputTokens: tokens, source: 'provider', outcome: 'complete' });
    return requestId;
  }

  it('asks for the password, then removes conversations, keys and sessions but keeps usage, detached', async () => {
    const user = await createUser(ctx.t.app);
    const key = await createApiKey(ctx.t.app, user);
    expect((await inject({ method: 'POST', url: '/api/conversations', headers: authHeader(user), payload: { title: 'mine' } })).statusCode).toBe(201);
    const requests = [await spend(user.id, 10), await spend(user.id, 20)];

    const wrong = await remove(user, 'not my password');
    expect(wrong.statusCode).toBe(401);
    expect((await inject({ method: 'GET', url: '/api/auth/me', headers: authHeader(user) })).statusCode).toBe(200);

    const done = await remove(user, user.password);
    expect(done.statusCode).toBe(204);
    expect(done.cookies.find((c) => c.name === 'refresh_token')?.value).toBe('');
    expect((await inject({ method: 'GET', url: '/api/auth/me', headers: authHeader(user) })).statusCode).toBe(401);
    expect((await inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password } })).statusCode).toBe(401);
    expect((await inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${key.key}` } })).statusCode).toBe(401);

    const count = async (sql: string, params: unknown[]) => (await ctx.t.db.query<{ n: number }>(sql, params)).rows[0]!.n;
    expect(await count('SELECT count(*)::int AS n FROM conversations WHERE user_id = $1', [user.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1', [user.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1', [user.id])).toBe(0);
    const kept = await ctx.t.db.query<{ user_id: string | null; total_tokens: number }>(
      'SELECT user_id, total_tokens FROM usage_records WHERE request_id = ANY($1::uuid[])',
      [requests],
    );
    expect(kept.rows).toEqual([
      { user_id: null, total_tokens: expect.any(Number) },
      { user_id: null, total_tokens: expect.any(Number) },
    ]);
    // The detached aggregate still equals the sum of its records (invariant): 20 + 40 tokens.
    const month = new Date(ctx.clock.ms).toISOString().slice(0, 7);
    const aggregates = await ctx.t.db.query<{ total_tokens: string }>(
      'SELECT total_tokens::text FROM monthly_usage WHERE user_id IS NULL AND month = $1 AND total_tokens = 60',
      [month],
    );
    expect(aggregates.rows.length).toBeGreaterThanOrEqual(1);
  });

  it("gives a key's call in flight back to the key's month when the account goes (its month still equals its records)", async () => {
    const user = await createUser(ctx.t.app);
    const key = await createApiKey(ctx.t.app, user);
    const charge = { key: { id: key.id, monthly_token_cap: null } };
    const done = randomUUID();
    await ctx.t.app.usage.reserve({ user: { id: user.id }, requestId: done, model: 'demo', promptTokens: 1, maxOutputTokens: 1, charge });
    await ctx.t.app.usage.settle({
      requestId: done,
      userId: user.id,
      keyId: key.id,
      model: 'demo',
      inputTokens: 5,
      outputTokens: 5,
      source: 'provider',
      outcome: 'complete',
    });
    await ctx.t.app.usage.reserve({ user: { id: user.id }, requestId: randomUUID(), model: 'demo', promptTokens: 1, maxOutputTokens: 50, charge });
    expect((await remove(user, user.password)).statusCode).toBe(204);
    const { rows } = await ctx.t.db.query('SELECT total_tokens::int AS total, reserved_tokens::int AS reserved FROM key_monthly_usage WHERE key_id = $1', [
      key.id,
    ]);
    expect(rows).toEqual([{ total: 10, reserved: 0 }]);
  });

  async function newTeam(owner: TestUser, name: string) {
    const res = await inject({ method: 'POST', url: '/api/teams', headers: authHeader(owner), payload: { name } });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  }

  it('refuses (409, naming them) while the account owns a team others are in, and goes once it is handed over', async () => {
    const owner = await createUser(ctx.t.app);
    const mate = await createUser(ctx.t.app);
    const shared = await newTeam(owner, 'Shared lab');
    const alone = await newTeam(owner, 'Side project');
    const invited = await inject({ method: 'POST', url: `/api/teams/${shared}/invitations`, headers: authHeader(owner), payload: { email: mate.email } });
    expect(invited.statusCode).toBe(201);
    const token = tokenInMail(await ctx.inbox.next(mate.email, 'invites you'), '/teams/join');
    expect((await inject({ method: 'POST', url: '/api/teams/join', headers: authHeader(mate), payload: { token } })).statusCode).toBe(200);

    const refused = await remove(owner, owner.password);
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({ code: 'ACCOUNT_OWNS_TEAMS', teams: [{ id: shared, name: 'Shared lab' }] });
    expect(refused.json().detail).toContain('Shared lab');
    // Nothing happened: the account, both teams and the membership are all still there.
    expect((await inject({ method: 'GET', url: '/api/auth/me', headers: authHeader(owner) })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: `/api/teams/${alone}`, headers: authHeader(owner) })).statusCode).toBe(200);

    const handed = await inject({ method: 'POST', url: `/api/teams/${shared}/transfer`, headers: authHeader(owner), payload: { member_id: mate.id } });
    expect(handed.statusCode).toBe(200);
    expect((await remove(owner, owner.password)).statusCode).toBe(204);
    const team = await inject({ method: 'GET', url: `/api/teams/${shared}`, headers: authHeader(mate) });
    expect(team.json()).toMatchObject({ members: [{ user_id: mate.id, role: 'owner' }] });
    expect(team.json().members).toHaveLength(1);
    const { rows } = await ctx.t.db.query('SELECT id FROM teams WHERE id = $1', [alone]);
    expect(rows).toEqual([]); // owned alone: gone with the account
  });

  it("deletes a team the account owns alone, keeping its usage (records and pool, with the team's id) for the operator", async () => {
    const owner = await createUser(ctx.t.app);
    const teamId = await newTeam(owner, 'Solo');
    const requestId = randomUUID();
    const team = { id: teamId, tier: 'free' as const, member_cap: null };
    await ctx.t.app.usage.reserve({ user: { id: owner.id }, requestId, model: 'demo', promptTokens: 1, maxOutputTokens: 1, charge: { team } });
    await ctx.t.app.usage.settle({
      requestId,
      userId: owner.id,
      teamId,
      model: 'demo',
      inputTokens: 7,
      outputTokens: 8,
      source: 'provider',
      outcome: 'complete',
    });

    expect((await remove(owner, owner.password)).statusCode).toBe(204);
    expect((await ctx.t.db.query('SELECT id FROM teams WHERE id = $1', [teamId])).rows).toEqual([]);
    expect((await ctx.t.db.query('SELECT 1 FROM team_members WHERE team_id = $1', [teamId])).rows).toEqual([]);
    const records = await ctx.t.db.query('SELECT user_id, team_id, total_tokens::int AS total FROM usage_records WHERE request_id = $1', [requestId]);
    expect(records.rows).toEqual([{ user_id: null, team_id: teamId, total: 15 }]);
    const pool = await ctx.t.db.query('SELECT total_tokens::int AS total, reserved_tokens::int AS reserved FROM team_monthly_usage WHERE team_id = $1', [
      teamId,
    ]);
    expect(pool.rows).toEqual([{ total: 15, reserved: 0 }]);
    const share = await ctx.t.db.query('SELECT user_id, total_tokens::int AS total FROM team_member_monthly_usage WHERE team_id = $1', [teamId]);
    expect(share.rows).toEqual([{ user_id: null, total: 15 }]);
  });

  it('makes a returning address wait for the next month, so deleting resets no quota', async () => {
    const email = uniqueEmail('returning');
    const user = await createUser(ctx.t.app, { email });
    expect((await remove(user, user.password)).statusCode).toBe(204);
    const again = await inject({ method: 'POST', url: '/api/auth/register', payload: { email: `  ${email.toUpperCase()}`, password: user.password } });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'EMAIL_RECENTLY_DELETED' });
    const now = new Date(ctx.clock.ms);
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(again.json().detail).toContain(nextMonth.toISOString().slice(0, 10));

    const saved = ctx.clock.ms;
    ctx.clock.ms = nextMonth.getTime();
    try {
      const back = await createUser(ctx.t.app, { email });
      const usage = await inject({ method: 'GET', url: '/api/usage', headers: authHeader(back) });
      expect(usage.json()).toMatchObject({ used: 0 });
      expect(await ctx.t.services.accounts.deleteExpired()).toBeGreaterThanOrEqual(1); // the wait is over: forgotten
    } finally {
      ctx.clock.ms = saved;
    }
  });
}
