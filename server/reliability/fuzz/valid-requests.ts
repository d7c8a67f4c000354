// Valid requests for every operation: path values, query and body drawn from the operation's own
// schemas (schema-arbitrary.ts), the fixture's ids and credentials where a name says what belongs.
import fc from 'fast-check';
import type { Fixtures } from './fixtures.js';
import type { Operation } from './openapi-operations.js';
import type { RequestParts, Who } from './request.js';
import { arbitraryOf, asUrlText, type Hints } from './schema-arbitrary.js';

/** Mostly `preferred`, sometimes what the schema allows. */
const mostly = <T>(preferred: fc.Arbitrary<T>, other: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: preferred }, { weight: 1, arbitrary: other });

export function credentialHeaders(f: Fixtures, op: Operation, who: Who): Record<string, string> {
  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
  const jwt = { user: f.users.user.accessToken, exhausted: f.users.exhausted.accessToken, admin: f.users.admin.accessToken };
  const forgedJwt = `${f.users.user.accessToken.slice(0, -4)}AAAA`;
  if (op.credential === 'apiKey') {
    if (who === 'none') return {};
    if (who === 'invalid') return bearer(`qc_${'x'.repeat(43)}`);
    if (who === 'wrong-kind') return bearer(jwt.user);
    return bearer(who === 'exhausted' ? f.apiKeys.exhausted : f.apiKeys.user);
  }
  if (who === 'none') return {};
  if (who === 'invalid') return bearer(forgedJwt);
  if (who === 'wrong-kind') return bearer(f.apiKeys.user);
  return bearer(jwt[who]);
}

/** Ids a path may name: the fixture's own (only ones it may lose for DELETE) and unknown ones. */
function idsFor(f: Fixtures, op: Operation): fc.Arbitrary<string> {
  const own = op.path.startsWith('/api/keys')
    ? f.keyIds.slice(1) // never the key the /v1 requests use
    : op.path.startsWith('/api/admin/users')
      ? [f.users.victim.id]
      : op.path.startsWith('/api/teams')
        ? op.method === 'DELETE' && op.path === '/api/teams/{id}'
          ? f.teamIds.slice(-1)
          : f.teamIds.slice(0, -1)
        : op.method === 'DELETE'
          ? f.conversationIds.slice(-1)
          : f.conversationIds.slice(0, -1);
  return mostly(fc.constantFrom(...own), fc.uuid());
}

/**
 * Any other path value: the schema's, or a live shared link's token for {token}. Encoded, since
 * such a value (a token is any text to its schema) may hold '/', '?' or '#'.
 */
function pathValueFor(f: Fixtures, p: Operation['pathParams'][number]): fc.Arbitrary<string> {
  const drawn = arbitraryOf(p.schema).map(asUrlText);
  const known: Record<string, string[]> = { token: f.shareTokens, member_id: f.teamMemberIds, invitation_id: f.invitationIds };
  const own = known[p.name];
  return (own ? mostly(fc.constantFrom(...own), drawn) : drawn).map(encodeURIComponent);
}

function bodyHints(f: Fixtures, op?: Operation): Hints {
  const text = fc.oneof(fc.constantFrom('hello', 'tell me something long', 'what is a token?'), fc.string({ minLength: 1, maxLength: 40 }));
  const userMessage = fc.record({ role: fc.constant('user'), content: text });
  const message = fc.record({ role: fc.constantFrom('system', 'developer', 'user', 'assistant'), content: text });
  const smallTokens = fc.option(fc.integer({ min: 1, max: 24 }), { nil: null, freq: 4 });
  return {
    model: mostly(fc.constant('demo'), fc.string({ minLength: 1, maxLength: 20 })),
    email: mostly(fc.constantFrom(...Object.values(f.users).map((u) => u.email)), fc.emailAddress()),
    username: mostly(fc.constantFrom(f.users.user.email, f.users.victim.email), fc.emailAddress()),
    password: mostly(fc.constant(f.password), fc.string({ minLength: 8, maxLength: 24 })),
    // Never the fixture's own: the run's users would delete their accounts (restoreCredentials
    // would bring them back, but with none of their conversations).
    ...(op && op.method === 'DELETE' && { password: fc.string({ minLength: 1, maxLength: 24 }) }),
    // Never the fixture's own password: a change would end the sessions the run uses.
    current_password: fc.string({ minLength: 1, maxLength: 24 }),
    conversation_id: mostly(fc.constantFrom(...f.conversationIds.slice(0, -1)), fc.uuid()),
    message_id: mostly(fc.constantFrom(...f.messageIds), fc.uuid()),
    team_id: fc.option(mostly(fc.constantFrom(...f.teamIds), fc.uuid()), { nil: null, freq: 4 }),
    member_id: mostly(fc.constantFrom(...f.teamMemberIds), fc.uuid()),
    content: text,
    messages: fc.tuple(fc.array(message, { maxLength: 2 }), userMessage).map(([before, last]) => [...before, last]),
    // A low output cap keeps valid chats cheap; the quota is what `exhausted` is for.
    max_tokens: smallTokens,
    max_completion_tokens: smallTokens,
    // Never a cap of 0 for the run's own user: it would make every later chat a quota refusal.
    monthly_token_cap: fc.option(fc.integer({ min: 1_000_000, max: 1_000_000_000 }), { nil: null }),
  };
}

const WHO: Array<{ weight: number; arbitrary: fc.Arbitrary<Who> }> = [
  { weight: 10, arbitrary: fc.constant('user') },
  { weight: 2, arbitrary: fc.constant('exhausted') },
  { weight: 2, arbitrary: fc.constant('admin') },
];

/** Who sends a request: mostly a valid credential here; mutations.ts adds the invalid ones. */
export const validWho = fc.oneof(...WHO);

export function validParts(f: Fixtures, op: Operation): fc.Arbitrary<RequestParts> {
  const hints = bodyHints(f, op);
  const pathValues = fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, p.name === 'id' ? idsFor(f, op) : pathValueFor(f, p)])));
  const query = fc
    .tuple(...op.query.map((p) => (p.required ? arbitraryOf(p.schema) : fc.option(arbitraryOf(p.schema), { nil: undefined })).map((v) => [p.name, v] as const)))
    .map((pairs) => pairs.filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, encodeURIComponent(asUrlText(v))]));
  const types = Object.keys(op.bodies);
  const body = types.length
    ? fc.constantFrom(...types).chain((type) => arbitraryOf(op.bodies[type]!, hints).map((value) => ({ contentType: type, body: value })))
    : fc.constant(undefined);
  return fc.record({ who: validWho, pathValues, query, body }).map(({ who, pathValues, query, body }) => ({
    op,
    who,
    method: op.method,
    pathValues,
    query,
    ...body,
    headers: {},
  }));
}
