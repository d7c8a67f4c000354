// The people of the sweeps and their data: users A and B, each holding data of every kind the
// schema has (conversations, messages, API keys live and revoked, refresh tokens, a personal cap,
// usage records and the month's aggregate, a reservation in flight, admin audit entries about
// them, rate-limit counters), an admin, and a deactivated and a deleted account with their tokens.
// Everything is made through the real routes, except what no route does: the admin role and
// deleting an account are set by SQL, and the reservation in flight by the usage service.
import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import type { DbKind } from '../../test/databases.js';
import type { SmtpInbox } from '../../test/smtp-inbox.js';
import { authHeader, buildTestApp, createApiKey, createUser, uniqueEmail, type TestApiKey, type TestApp, type TestUser } from '../../test/test-app.js';
import { newTeam, sessionOf, startConversation, type CapabilityParam, type Ids } from './ids.js';
import type { Table } from './snapshots.js';

export interface SweepUser extends TestUser {
  key: TestApiKey;
  /** A key of this user's that was revoked. */
  revokedKey: string;
  /** One id of each kind, all this user's. */
  ids: Ids;
  /** A live value of each capability path parameter (ids.ts CAPABILITY_PARAMS): its conversation's shared link. */
  capabilities: Record<CapabilityParam, string>;
}

export interface World {
  admin: SweepUser;
  a: SweepUser;
  b: SweepUser;
  /** An account an admin deactivated, its access token and API key issued before. */
  deactivated: SweepUser;
  /** An admin deactivated in turn: its token must not keep the admin routes open. */
  deactivatedAdmin: SweepUser;
  /** An account deleted after logging in and creating a key. */
  deleted: SweepUser;
}

/** The app of the sweeps: the demo model at full speed, request limits out of the way, mail to `inbox`. */
export function buildSweepApp(kind: DbKind, inbox: SmtpInbox): Promise<TestApp> {
  const env: Record<string, string> = { DEMO_TOKEN_DELAY_MS: '0', SMTP_URL: inbox.url, SHARED_LINK_RATE_LIMIT_PER_MINUTE: '100000' };
  for (const tier of ['FREE', 'STARTER', 'BUILDER', 'ADVANCED']) env[`TIER_${tier}_REQUESTS_PER_MINUTE`] = '100000';
  return buildTestApp(kind, { env });
}

export async function seedUser(t: TestApp, label: string): Promise<SweepUser> {
  const user = await createUser(t.app, { email: uniqueEmail(label) });
  const conversation = await startConversation(t, user, `${label}'s conversation`);
  const key = await createApiKey(t.app, user, `${label}'s key`);
  const shared = await expectStatus(t, 201, { method: 'PUT', url: `/api/conversations/${conversation.id}/share`, headers: authHeader(user) });
  const revoked = await createApiKey(t.app, user, `${label}'s revoked key`);
  await expectStatus(t, 204, { method: 'DELETE', url: `/api/keys/${revoked.id}`, headers: authHeader(user) });
  await expectStatus(t, 200, { method: 'PUT', url: '/api/usage/cap', headers: authHeader(user), payload: { monthly_token_cap: 90_000 } });
  await t.app.usage.reserve({
    user: { id: user.id },
    requestId: randomUUID(),
    model: 'demo',
    promptTokens: 3,
    maxOutputTokens: 5,
    conversationId: conversation.id,
    messageId: null,
  });
  // A team of this user's, with an open invitation, a cap on its owner, a call charged to it and a team key.
  const team = await newTeam(t, user, `${label}'s team`);
  await expectStatus(t, 200, {
    method: 'PATCH',
    url: `/api/teams/${team.teams}/members/${user.id}`,
    headers: authHeader(user),
    payload: { monthly_token_cap: 80_000 },
  });
  await expectStatus(t, 200, {
    method: 'POST',
    url: '/api/chat',
    headers: authHeader(user),
    payload: { model: 'demo', content: 'For the team', team_id: team.teams },
  });
  await expectStatus(t, 201, { method: 'POST', url: '/api/keys', headers: authHeader(user), payload: { name: `${label}'s team key`, team_id: team.teams } });
  return {
    ...user,
    key,
    revokedKey: revoked.key,
    capabilities: { token: shared.json<{ link: { token: string } }>().link.token },
    ids: {
      teams: team.teams,
      invitations: team.invitations,
      members: team.members,
      users: user.id,
      conversations: conversation.id,
      messages: conversation.userMessageId,
      keys: key.id,
      sessions: sessionOf(user.accessToken, { optional: true }),
    },
  };
}

export async function makeAdmin(t: TestApp, user: TestUser) {
  await t.db.query("UPDATE users SET role = 'admin' WHERE id = $1", [user.id]);
}

export async function buildWorld(t: TestApp): Promise<World> {
  const admin = await seedUser(t, 'admin');
  await makeAdmin(t, admin);
  const [a, b, deactivated, deactivatedAdmin, deleted] = [
    await seedUser(t, 'user-a'),
    await seedUser(t, 'user-b'),
    await seedUser(t, 'deactivated'),
    await seedUser(t, 'deactivated-admin'),
    await seedUser(t, 'deleted'),
  ];
  await makeAdmin(t, deactivatedAdmin);
  const patch = (user: SweepUser, payload: object) =>
    expectStatus(t, 200, { method: 'PATCH', url: `/api/admin/users/${user.id}`, headers: authHeader(admin), payload });
  // Audit entries about A and B, and a tier_updated_at, for the snapshots to hold.
  await patch(a, { tier: 'starter' });
  await patch(b, { tier: 'starter' });
  await patch(deactivated, { is_active: false });
  await patch(deactivatedAdmin, { is_active: false });
  await t.db.query('DELETE FROM users WHERE id = $1', [deleted.id]);
  return { admin, a, b, deactivated, deactivatedAdmin, deleted };
}

export interface Sweep {
  t: TestApp;
  /** Where the app's mail goes (SMTP_URL). */
  inbox: SmtpInbox;
  world: World;
  tables: Table[];
}

export async function expectStatus(t: TestApp, status: number, request: InjectOptions) {
  const res = await t.app.inject(request);
  if (res.statusCode !== status) throw new Error(`${JSON.stringify(request)} answered ${res.statusCode}, not ${status}: ${res.body}`);
  return res;
}
