// Teams through the API: creating one, inviting by a signed link (shown to the inviter without
// mail), the rules of roles (owner, admin, member), caps only admins set, and a team invisible
// (404) to anyone outside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { authHeader, buildTestApp, createUser, type TestApp, type TestUser } from '../../../test/test-app.js';

describe.each(testDbKinds())('teams on %s', (kind) => {
  let t: TestApp;
  let clock = new Date('2026-11-20T10:00:00Z');
  beforeAll(async () => {
    t = await buildTestApp(kind, { env: { DEMO_TOKEN_DELAY_MS: '0', PUBLIC_URL: 'https://chat.example' }, now: () => clock });
  });
  afterAll(() => t.close());

  const call = (user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: authHeader(user), ...(payload && { payload }) });

  async function newTeam(owner: TestUser, name = 'Research') {
    const res = await call(owner, 'POST', '/api/teams', { name });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  }

  /** Invites `who` and has them accept the link, as `role`. */
  async function join(teamId: string, inviter: TestUser, who: TestUser, role: 'admin' | 'member' = 'member') {
    const invited = await call(inviter, 'POST', `/api/teams/${teamId}/invitations`, { email: who.email, role });
    expect(invited.statusCode).toBe(201);
    const token = new URL(invited.json<{ link: string }>().link.replace('#', '?')).searchParams.get('token')!;
    const accepted = await call(who, 'POST', '/api/teams/join', { token });
    expect(accepted.statusCode).toBe(200);
    return token;
  }

  it('creates a team whose creator is its owner, on the free tier, and lists it', async () => {
    const owner = await createUser(t.app);
    const created = await call(owner, 'POST', '/api/teams', { name: '  Research  ' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'Research', tier: 'free', role: 'owner', monthly_token_cap: null });
    const listed = await call(owner, 'GET', '/api/teams');
    expect(listed.json().items).toEqual([created.json()]);
    const detail = await call(owner, 'GET', `/api/teams/${created.json().id}`);
    expect(detail.json()).toMatchObject({ pool: expect.any(Number), members: [{ user_id: owner.id, email: owner.email, role: 'owner' }], invitations: [] });
    for (const payload of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 'ok', tier: 'advanced' }]) {
      expect((await call(owner, 'POST', '/api/teams', payload)).statusCode, JSON.stringify(payload)).toBe(422);
    }
  });

  it('invites by a signed, expiring link shown to the inviter when mail is not set up; only the invited address can use it, once', async () => {
    const owner = await createUser(t.app);
    const teamId = await newTeam(owner);
    const invitee = await createUser(t.app);
    const invited = await call(owner, 'POST', `/api/teams/${teamId}/invitations`, { email: invitee.email.toUpperCase() });
    expect(invited.statusCode).toBe(201);
    expect(invited.json()).toMatchObject({
      email: invitee.email,
      role: 'member',
      mailed: false,
      link: expect.stringMatching(/^https:\/\/chat\.example\/teams\/join#token=/),
    });
    const token = invited.json().link.split('#token=')[1] as string;
    expect((await call(owner, 'GET', `/api/teams/${teamId}`)).json().invitations).toHaveLength(1);

    // Someone else, a tampered token, a made-up one: the same 400, and nobody joins.
    const stranger = await createUser(t.app);
    const [id, exp, sig] = token.split('.');
    for (const [who, tok] of [
      [stranger, token],
      [invitee, `${id}.${Number(exp) + 1000}.${sig}`],
      [invitee, `${id}.${exp}.${sig!.slice(0, -2)}AA`],
      [invitee, 'not-a-token'],
    ] as const) {
      const res = await call(who, 'POST', '/api/teams/join', { token: tok });
      expect(res.statusCode, tok).toBe(400);
      expect(res.json().code).toBe('TEAM_INVITATION_INVALID');
    }
    const accepted = await call(invitee, 'POST', '/api/teams/join', { token });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ id: teamId, role: 'member' });
    expect((await call(invitee, 'POST', '/api/teams/join', { token })).statusCode).toBe(400);
    expect((await call(owner, 'GET', `/api/teams/${teamId}`)).json().invitations).toEqual([]);
    // Inviting a member again is refused.
    expect((await call(owner, 'POST', `/api/teams/${teamId}/invitations`, { email: invitee.email })).statusCode).toBe(409);

    // An invitation past its week no longer works.
    const late = await createUser(t.app);
    const lateLink = (await call(owner, 'POST', `/api/teams/${teamId}/invitations`, { email: late.email })).json().link as string;
    const start = clock;
    try {
      clock = new Date(start.getTime() + 8 * 24 * 3600_000);
      expect((await call(late, 'POST', '/api/teams/join', { token: lateLink.split('#token=')[1] })).statusCode).toBe(400);
    } finally {
      clock = start;
    }
  });

  it('lets admins withdraw an invitation, after which its link is refused', async () => {
    const owner = await createUser(t.app);
    const teamId = await newTeam(owner);
    const invitee = await createUser(t.app);
    const invited = (await call(owner, 'POST', `/api/teams/${teamId}/invitations`, { email: invitee.email })).json();
    expect((await call(owner, 'DELETE', `/api/teams/${teamId}/invitations/${invited.id}`)).statusCode).toBe(204);
    expect((await call(owner, 'DELETE', `/api/teams/${teamId}/invitations/${invited.id}`)).statusCode).toBe(404);
    expect((await call(invitee, 'POST', '/api/teams/join', { token: invited.link.split('#token=')[1] })).statusCode).toBe(400);
  });

  it('answers 404 to a non-member for every route of the team, and changes nothing', async () => {
    const owner = await createUser(t.app);
    const teamId = await newTeam(owner);
    const outsider = await createUser(t.app);
    const requests: [Parameters<typeof call>[1], string, object?][] = [
      ['GET', `/api/teams/${teamId}`],
      ['GET', `/api/teams/${teamId}/usage`],
      ['PATCH', `/api/teams/${teamId}`, { name: 'Mine now' }],
      ['POST', `/api/teams/${teamId}/invitations`, { email: outsider.email }],
      ['PATCH', `/api/teams/${teamId}/members/${owner.id}`, { monthly_token_cap: 1 }],
      ['DELETE', `/api/teams/${teamId}/members/${owner.id}`],
      ['POST', `/api/teams/${teamId}/transfer`, { member_id: outsider.id }],
      ['DELETE', `/api/teams/${teamId}`],
      ['POST', '/api/keys', { name: 'theirs', team_id: teamId }],
    ];
    for (const [method, url, payload] of requests) {
      const res = await call(outsider, method, url, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().code).toBe('TEAM_NOT_FOUND');
    }
    const chat = await call(outsider, 'POST', '/api/chat', { model: 'demo', content: 'hi', team_id: teamId });
    expect(chat.statusCode).toBe(404);
    expect((await call(owner, 'GET', `/api/teams/${teamId}`)).json()).toMatchObject({ name: 'Research', members: [{ user_id: owner.id }] });
  });

  it('holds the rules of roles: members cannot set caps, admins set caps and remove members, the owner alone changes roles and hands over', async () => {
    const owner = await createUser(t.app);
    const admin = await createUser(t.app);
    const member = await createUser(t.app);
    const other = await createUser(t.app);
    const teamId = await newTeam(owner);
    await join(teamId, owner, admin, 'admin');
    await join(teamId, admin, member);
    await join(teamId, admin, other);

    const byMember = await call(member, 'PATCH', `/api/teams/${teamId}/members/${member.id}`, { monthly_token_cap: 1_000_000 });
    expect(byMember.statusCode).toBe(403);
    expect(byMember.json().code).toBe('TEAM_ROLE_REQUIRED');
    expect((await call(member, 'POST', `/api/teams/${teamId}/invitations`, { email: 'friend@example.com' })).statusCode).toBe(403);
    expect((await call(member, 'DELETE', `/api/teams/${teamId}/members/${other.id}`)).statusCode).toBe(403);

    const capped = await call(admin, 'PATCH', `/api/teams/${teamId}/members/${member.id}`, { monthly_token_cap: 500 });
    expect(capped.statusCode).toBe(200);
    expect(capped.json()).toMatchObject({ user_id: member.id, role: 'member', monthly_token_cap: 500 });
    expect((await call(admin, 'PATCH', `/api/teams/${teamId}/members/${member.id}`, { role: 'admin' })).statusCode).toBe(403);
    expect((await call(admin, 'DELETE', `/api/teams/${teamId}/members/${owner.id}`)).statusCode).toBe(403);
    expect((await call(owner, 'PATCH', `/api/teams/${teamId}/members/${owner.id}`, { role: 'member' })).statusCode).toBe(403);
    expect((await call(owner, 'PATCH', `/api/teams/${teamId}/members/${other.id}`, {})).statusCode).toBe(422);
    expect((await call(admin, 'PATCH', `/api/teams/${teamId}/members/${other.id}`, { monthly_token_cap: 5 })).statusCode).toBe(200);

    // The admin removes a member; the member leaves; the owner cannot leave without handing over.
    expect((await call(admin, 'DELETE', `/api/teams/${teamId}/members/${other.id}`)).statusCode).toBe(204);
    expect((await call(other, 'GET', `/api/teams/${teamId}`)).statusCode).toBe(404);
    expect((await call(member, 'DELETE', `/api/teams/${teamId}/members/${member.id}`)).statusCode).toBe(204);
    const stays = await call(owner, 'DELETE', `/api/teams/${teamId}/members/${owner.id}`);
    expect(stays.statusCode).toBe(409);
    expect(stays.json().code).toBe('TEAM_OWNER_CANNOT_LEAVE');

    expect((await call(admin, 'POST', `/api/teams/${teamId}/transfer`, { member_id: admin.id })).statusCode).toBe(403);
    const handed = await call(owner, 'POST', `/api/teams/${teamId}/transfer`, { member_id: admin.id });
    expect(handed.statusCode).toBe(200);
    const roles = Object.fromEntries(handed.json().members.map((m: { user_id: string; role: string }) => [m.user_id, m.role]));
    expect(roles).toEqual({ [admin.id]: 'owner', [owner.id]: 'admin' });
    // The new owner may now remove the old one, an admin.
    expect((await call(admin, 'DELETE', `/api/teams/${teamId}/members/${owner.id}`)).statusCode).toBe(204);
  });

  it('lets the owner alone delete the team: members lose it and its keys stop working; its usage records and pool stay for the operator', async () => {
    const owner = await createUser(t.app);
    const admin = await createUser(t.app);
    const member = await createUser(t.app);
    const teamId = await newTeam(owner, 'Short-lived');
    await join(teamId, owner, admin, 'admin');
    await join(teamId, owner, member);
    const keyRes = await call(member, 'POST', '/api/keys', { name: 'team key', team_id: teamId });
    expect(keyRes.statusCode).toBe(201);
    const chat = await t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${keyRes.json().key}` },
      payload: { model: 'demo', messages: [{ role: 'user', content: 'hello' }] },
    });
    expect(chat.statusCode).toBe(200);
    await call(owner, 'POST', `/api/teams/${teamId}/invitations`, { email: 'later@example.com' });

    for (const who of [admin, member]) {
      const refused = await call(who, 'DELETE', `/api/teams/${teamId}`);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().code).toBe('TEAM_ROLE_REQUIRED');
    }
    expect((await call(owner, 'DELETE', `/api/teams/${teamId}`)).statusCode).toBe(204);
    for (const who of [owner, admin, member]) expect((await call(who, 'GET', `/api/teams/${teamId}`)).statusCode).toBe(404);
    expect((await call(owner, 'DELETE', `/api/teams/${teamId}`)).statusCode).toBe(404);
    expect((await call(member, 'GET', '/api/teams')).json().items).toEqual([]);
    const after = await t.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${keyRes.json().key}` } });
    expect(after.statusCode).toBe(401);

    const records = await t.db.query<{ team_id: string; user_id: string }>('SELECT team_id, user_id FROM usage_records WHERE team_id = $1', [teamId]);
    expect(records.rows).toEqual([{ team_id: teamId, user_id: member.id }]);
    const pool = await t.db.query<{ total: number; records: number }>(
      `SELECT p.total_tokens::int AS total, (SELECT sum(total_tokens)::int FROM usage_records r WHERE r.team_id = p.team_id) AS records
       FROM team_monthly_usage p WHERE p.team_id = $1`,
      [teamId],
    );
    expect(pool.rows).toHaveLength(1);
    expect(pool.rows[0]!.total).toBeGreaterThan(0);
    expect(pool.rows[0]!.total).toBe(pool.rows[0]!.records);
    expect((await t.db.query('SELECT 1 FROM team_invitations WHERE team_id = $1', [teamId])).rows).toEqual([]);
  });
});
