// The kinds of id a route can take, and how the sweeps get one: the seeded user's own, or a new
// one made through the real routes for a request that will consume it (a DELETE, an edit). A path
// parameter or a body field names its kind ("/api/keys/{id}", "conversation_id", "{messageId}");
// one the sweeps cannot name fails the sweep (unknownIdSlots), so a new kind of id cannot slip by
// unswept: add it to ID_KINDS.
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { authHeader, createApiKey, createUser, type TestApp, type TestUser } from '../../test/test-app.js';
import type { JsonSchema, Operation } from './operations.js';

export const ID_KINDS = {
  users: { names: ['user', 'users'] },
  conversations: { names: ['conversation', 'conversations'] },
  messages: { names: ['message', 'messages'] },
  keys: { names: ['key', 'keys', 'api_key', 'api_keys', 'api-keys'] },
  // A session is a refresh-token family; its id is the `sid` of the access tokens it issues.
  sessions: { names: ['session', 'sessions'] },
  teams: { names: ['team', 'teams'] },
  invitations: { names: ['invitation', 'invitations'] },
  // A member of a team is named by their user id (/api/teams/{id}/members/{member_id}).
  members: { names: ['member', 'members'] },
} as const;
export type IdKind = keyof typeof ID_KINDS;

/**
 * Path parameters that are capabilities, not ids: the value is the permission itself (a shared
 * link's token, docs/decisions/022), so no owner stands behind it for user B to be tested against.
 * The BOLA sweep leaves them out of the id slots and checks instead that a made-up value answers
 * 404 and changes nothing, and that A's live one (world.ts `capabilities`) is read by anyone.
 */
export const CAPABILITY_PARAMS = {
  token: { what: 'the token of a shared link (/api/shared/{token})', madeUp: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
} as const;
export type CapabilityParam = keyof typeof CAPABILITY_PARAMS;
export const isCapabilityParam = (name: string): name is CapabilityParam => name in CAPABILITY_PARAMS;
export type Ids = Record<IdKind, string>;

/** Where a route takes an id: a path parameter, or a top-level field of its JSON body. */
export interface IdSlot {
  in: 'path' | 'body';
  name: string;
  kind: IdKind;
}

function kindNamed(name: string): IdKind | undefined {
  const base = name.replace(/(_id|Id|_ids|Ids)$/, '').toLowerCase();
  return (Object.keys(ID_KINDS) as IdKind[]).find((k) => (ID_KINDS[k].names as readonly string[]).includes(base));
}

/** A body field that holds an id: named id or *_id/*Id, or a string with format uuid. */
export function isIdField(name: string, schema: JsonSchema): boolean {
  return name === 'id' || /(_id|Id)$/.test(name) || schema.format === 'uuid';
}

/** The id slots of an operation, with the names the sweeps could not resolve to a kind. */
export function idSlotsOf(op: Operation): { slots: IdSlot[]; unknown: string[] } {
  const slots: IdSlot[] = [];
  const unknown: string[] = [];
  const segments = op.path.split('/');
  for (const name of op.pathParams.filter((p) => !isCapabilityParam(p))) {
    // "{id}" takes the kind of the segment before it: /api/keys/{id} is a key's id.
    const before = segments[segments.indexOf(`{${name}}`) - 1] ?? '';
    const kind = name === 'id' ? kindNamed(before) : kindNamed(name);
    if (kind) slots.push({ in: 'path', name, kind });
    else unknown.push(`${op.name}: path parameter {${name}}`);
  }
  for (const [name, schema] of Object.entries(op.jsonBody?.properties ?? {})) {
    if (!isIdField(name, schema)) continue;
    const kind = kindNamed(name);
    if (kind) slots.push({ in: 'body', name, kind });
    else unknown.push(`${op.name}: body field ${name}`);
  }
  return { slots, unknown };
}

export function randomIds(): Ids {
  return {
    users: randomUUID(),
    conversations: randomUUID(),
    messages: randomUUID(),
    keys: randomUUID(),
    sessions: randomUUID(),
    teams: randomUUID(),
    invitations: randomUUID(),
    members: randomUUID(),
  };
}

/**
 * New ids of `user` for the kinds asked, made through the real routes: a conversation with one
 * exchange (its first user message is the message id), an API key. The user's own id is not new.
 */
export async function freshIds(t: TestApp, user: TestUser, kinds: Iterable<IdKind>): Promise<Partial<Ids>> {
  const wanted = new Set(kinds);
  const ids: Partial<Ids> = {};
  if (wanted.has('users')) ids.users = user.id;
  if (wanted.has('conversations') || wanted.has('messages')) {
    const conversation = await startConversation(t, user, 'A conversation of the sweep');
    ids.conversations = conversation.id;
    ids.messages = conversation.userMessageId;
  }
  if (wanted.has('keys')) ids.keys = (await createApiKey(t.app, user, 'sweep key')).id;
  if (wanted.has('sessions')) ids.sessions = await newSession(t, user);
  if (wanted.has('teams') || wanted.has('invitations') || wanted.has('members')) Object.assign(ids, await newTeam(t, user));
  return ids;
}

/**
 * A team that `user` owns, with an open invitation and a second member. The member is added by
 * SQL: joining takes the token of a mailed link, which tests/teams prove; here only the row matters.
 */
export async function newTeam(t: TestApp, user: TestUser, name = 'A team of the sweep'): Promise<{ teams: string; invitations: string; members: string }> {
  const headers = authHeader(user);
  const team = await t.app.inject({ method: 'POST', url: '/api/teams', headers, payload: { name } });
  if (team.statusCode !== 201) throw new Error(`creating a team failed: ${team.statusCode} ${team.body}`);
  const id = team.json<{ id: string }>().id;
  const invited = await t.app.inject({
    method: 'POST',
    url: `/api/teams/${id}/invitations`,
    headers,
    payload: { email: `invitee-${randomUUID()}@example.com` },
  });
  if (invited.statusCode !== 201) throw new Error(`inviting failed: ${invited.statusCode} ${invited.body}`);
  const member = await createUser(t.app, { email: `member-${randomUUID()}@example.com` });
  await t.db.query("INSERT INTO team_members (team_id, user_id, role) VALUES ($1, $2, 'member')", [id, member.id]);
  return { teams: id, invitations: invited.json<{ id: string }>().id, members: member.id };
}

/** The id of the session an access token belongs to ('' when optional and it names none). */
export function sessionOf(accessToken: string, { optional = false } = {}): string {
  const { sid } = decodeJwt(accessToken);
  if (typeof sid === 'string') return sid;
  if (optional) return '';
  throw new Error('access tokens carry no session id (sid): say in ids.ts how to find a session');
}

/** Logs `user` in once more: a new session, which `user`'s own token can end. */
async function newSession(t: TestApp, user: TestUser): Promise<string> {
  const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password } });
  if (login.statusCode !== 200) throw new Error(`log-in failed: ${login.statusCode} ${login.body}`);
  return sessionOf(login.json<{ access_token: string }>().access_token);
}

/** A conversation with a title, a system prompt and one exchange with the demo model. */
export async function startConversation(t: TestApp, user: TestUser, title: string) {
  const headers = authHeader(user);
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/conversations',
    headers,
    payload: { title, model: 'demo', system_prompt: `${title}: be brief.` },
  });
  if (created.statusCode !== 201) throw new Error(`creating a conversation failed: ${created.statusCode} ${created.body}`);
  const id = created.json<{ id: string }>().id;
  const chat = await t.app.inject({
    method: 'POST',
    url: '/api/chat',
    headers,
    payload: { conversation_id: id, model: 'demo', content: `Hello from ${user.email}` },
  });
  if (chat.statusCode !== 200) throw new Error(`a chat exchange failed: ${chat.statusCode} ${chat.body}`);
  const read = await t.app.inject({ method: 'GET', url: `/api/conversations/${id}`, headers });
  const messages = read.json<{ messages: { id: string; role: string }[] }>().messages;
  const userMessage = messages.find((m) => m.role === 'user');
  if (!userMessage || messages.length < 2) throw new Error(`the exchange left ${JSON.stringify(messages)}`);
  return { id, userMessageId: userMessage.id };
}
