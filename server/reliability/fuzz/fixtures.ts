// The world the fuzz run plays in: one app on a real port over a fresh database, and the people and
// data a request can name. `user` has a generous tier (valid chats reach the model, not the quota);
// `exhausted` is on a tier of zero tokens (every chat is a quota refusal); `admin` can use the admin
// routes, whose PATCH only ever targets `victim`, so the others keep their tier and role.
import { createTestDatabase, type DbKind } from '../../test/databases.js';
import { authHeader, buildTestApp, createApiKey, createUser, listen, type TestApp, type TestUser } from '../../test/test-app.js';

export const FUZZ_ENV = {
  AUTH_RATE_LIMIT_PER_IP: '1000000',
  AUTH_RATE_LIMIT_PER_EMAIL: '1000000',
  TIER_ADVANCED_MONTHLY_TOKENS: '1000000000000',
  TIER_ADVANCED_REQUESTS_PER_MINUTE: '1000000',
  TIER_FREE_MONTHLY_TOKENS: '0',
  TIER_FREE_REQUESTS_PER_MINUTE: '1000000',
  SHARED_LINK_RATE_LIMIT_PER_MINUTE: '1000000',
  DEMO_TOKEN_DELAY_MS: '0',
  // Small bodies keep the oversized cases cheap; the limit itself is what they probe.
  BODY_LIMIT_BYTES: '262144',
};

export interface Fixtures {
  t: TestApp;
  baseUrl: string;
  password: string;
  users: { user: TestUser; exhausted: TestUser; admin: TestUser; victim: TestUser };
  apiKeys: { user: string; exhausted: string };
  conversationIds: string[];
  messageIds: string[];
  keyIds: string[];
  /** Tokens of live shared links, of conversations no valid request deletes (never the last). */
  shareTokens: string[];
  /** Teams `user` owns (the last one the one a DELETE may remove), the member in them, an open invitation. */
  teamIds: string[];
  teamMemberIds: string[];
  invitationIds: string[];
}

/** Two teams of `user`'s, `victim` a member of both, each with an open invitation. */
async function setUpTeams(t: TestApp, owner: TestUser, member: TestUser) {
  const teamIds: string[] = [];
  const invitationIds: string[] = [];
  for (const name of ['fuzz lab', 'fuzz spare']) {
    const call = (method: 'POST' | 'GET', url: string, user: TestUser, payload?: object) =>
      t.app.inject({ method, url, headers: authHeader(user), ...(payload && { payload }) });
    const team = await call('POST', '/api/teams', owner, { name });
    if (team.statusCode !== 201) throw new Error(`fixture team failed: ${team.statusCode} ${team.body}`);
    const id = team.json<{ id: string }>().id;
    const invited = await call('POST', `/api/teams/${id}/invitations`, owner, { email: member.email });
    const joined = await call('POST', '/api/teams/join', member, { token: invited.json<{ link: string }>().link.split('#token=')[1] });
    if (joined.statusCode !== 200) throw new Error(`fixture join failed: ${joined.statusCode} ${joined.body}`);
    const open = await call('POST', `/api/teams/${id}/invitations`, owner, { email: `invited-${id}@example.com` });
    invitationIds.push(open.json<{ id: string }>().id);
    teamIds.push(id);
  }
  return { teamIds, teamMemberIds: [member.id], invitationIds };
}

async function startConversation(t: TestApp, user: TestUser, content: string) {
  const created = await t.app.inject({ method: 'POST', url: '/api/conversations', headers: authHeader(user), payload: { title: content } });
  const id = created.json<{ id: string }>().id;
  const chat = await t.app.inject({ method: 'POST', url: '/api/chat', headers: authHeader(user), payload: { conversation_id: id, model: 'demo', content } });
  if (chat.statusCode !== 200) throw new Error(`fixture chat failed: ${chat.statusCode} ${chat.body}`);
  const full = await t.app.inject({ method: 'GET', url: `/api/conversations/${id}`, headers: authHeader(user) });
  return { id, messageIds: full.json<{ messages: { id: string }[] }>().messages.map((m) => m.id) };
}

export async function setUpFixtures(kind: DbKind): Promise<Fixtures> {
  const t = await buildTestApp(kind, { env: FUZZ_ENV, database: await createTestDatabase(kind) });
  const password = 'correct horse battery';
  const users = {
    user: await createUser(t.app, { password }),
    exhausted: await createUser(t.app, { password }),
    admin: await createUser(t.app, { password }),
    victim: await createUser(t.app, { password }),
  };
  await t.services.users.updateUser(users.user.id, { tier: 'advanced' });
  await t.services.users.updateUser(users.admin.id, { tier: 'advanced', role: 'admin' });
  const conversations = [];
  for (const content of ['hello', 'a second one', 'and a long one']) conversations.push(await startConversation(t, users.user, content));
  const shared = await t.app.inject({ method: 'PUT', url: `/api/conversations/${conversations[0]!.id}/share`, headers: authHeader(users.user) });
  if (shared.statusCode !== 201) throw new Error(`fixture share failed: ${shared.statusCode} ${shared.body}`);
  const teams = await setUpTeams(t, users.user, users.victim);
  const keys = [await createApiKey(t.app, users.user), await createApiKey(t.app, users.exhausted), await createApiKey(t.app, users.user, 'spare')];
  return {
    t,
    baseUrl: await listen(t.app),
    password,
    users,
    apiKeys: { user: keys[0]!.key, exhausted: keys[1]!.key },
    conversationIds: conversations.map((c) => c.id),
    messageIds: conversations.flatMap((c) => c.messageIds),
    keyIds: keys.map((k) => k.id),
    shareTokens: [shared.json<{ link: { token: string } }>().link.token],
    ...teams,
  };
}

const signedIn = async (t: TestApp, user: TestUser) =>
  (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: authHeader(user) })).statusCode === 200;
const keyWorks = async (t: TestApp, key: string) =>
  (await t.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${key}` } })).statusCode === 200;

/**
 * Valid requests may end the run's own sessions or accounts (log out everywhere, delete the
 * account, revoke a key, new routes that do more): after a group that changed things, whatever was
 * lost is restored, so later requests still carry valid credentials. Answers how many were.
 */
export async function restoreCredentials(f: Fixtures): Promise<number> {
  let restored = 0;
  for (const name of ['user', 'exhausted', 'admin'] as const) {
    if (await signedIn(f.t, f.users[name])) continue;
    restored += 1;
    const { email, password } = f.users[name];
    const login = await f.t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    if (login.statusCode === 200) f.users[name] = { ...f.users[name], accessToken: login.json<{ access_token: string }>().access_token };
    else {
      f.users[name] = await createUser(f.t.app, { password: f.password });
      await f.t.services.users.updateUser(f.users[name].id, { tier: name === 'exhausted' ? 'free' : 'advanced', ...(name === 'admin' && { role: 'admin' }) });
    }
  }
  for (const name of ['user', 'exhausted'] as const) {
    if (await keyWorks(f.t, f.apiKeys[name])) continue;
    restored += 1;
    f.apiKeys[name] = (await createApiKey(f.t.app, f.users[name])).key;
  }
  return restored;
}

export async function tearDownFixtures(f: Fixtures): Promise<void> {
  await f.t.close();
  await f.t.database.drop();
}
