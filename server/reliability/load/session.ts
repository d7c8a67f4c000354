// One virtual user's session: a loop of what people and programs do, drawn from its own seeded
// generator until the deadline: chat (send, regenerate, edit) in the web app, /v1 completions
// streamed and not, renames, deletes, lists, and API key churn. Each session owns its
// conversations, so what it was told about them is exact (ledger.ts), unless a request's outcome
// was lost to a crash or an abort, which makes that conversation uncertain from then on.
import { call, parsedEvents, type Call, type CallResult } from './client.js';
import { LOAD_MODELS, type Cluster } from './cluster.js';
import type { ExpectedConversation, ExpectedMessage, Ledger } from './ledger.js';
import type { Random } from './prng.js';

export interface LoadUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

const WORDS = 'alpha bravo quota token stream limit cache index reply model month ledger retry budget cursor shard'.split(' ');

type Action = 'send' | 'regenerate' | 'edit' | 'v1Stream' | 'v1Json' | 'rename' | 'remove' | 'list' | 'read' | 'keys';
const WEIGHTS: Record<Action, number> = { send: 28, regenerate: 6, edit: 6, v1Stream: 18, v1Json: 10, rename: 8, remove: 5, list: 6, read: 5, keys: 8 };

interface SessionDeps {
  cluster: Cluster;
  ledger: Ledger;
  user: LoadUser;
  random: Random;
  deadline: number;
}

export async function runSession({ cluster, ledger, user, random, deadline }: SessionDeps): Promise<void> {
  const owned: ExpectedConversation[] = [];
  let key: { id: string; key: string } | undefined;
  let turn = random.int(0, 1000);
  const sentence = () => Array.from({ length: random.int(3, 12) }, () => random.pick(WORDS)).join(' ');

  /** One request to the next server up; /api requests log in again once on 401 (an expired session). */
  async function request(c: Omit<Call, 'ledger' | 'slot' | 'token'> & { auth?: 'token' | 'key' | 'none' }): Promise<CallResult | undefined> {
    const slot = cluster.pick(turn++);
    if (!slot) return undefined;
    const token = c.auth === 'key' ? key?.key : c.auth === 'none' ? undefined : user.token;
    const result = await call({ ...c, ledger, slot, token });
    if (result.status === 401 && c.auth !== 'key' && c.auth !== 'none' && (await logIn())) return call({ ...c, ledger, slot, token: user.token });
    return result;
  }

  async function logIn(): Promise<boolean> {
    const r = await request({ kind: 'login', method: 'POST', path: '/api/auth/login', body: { email: user.email, password: user.password }, auth: 'none' });
    const token = r?.json?.access_token;
    if (typeof token === 'string') user.token = token;
    return typeof token === 'string';
  }

  /** Where the client leaves a stream, if it does: after some pieces, or at a random moment. */
  function abortPlan(): Pick<Call, 'abortAfterPieces' | 'abortAfterMs'> {
    const roll = random.next();
    if (roll < 0.12) {
      ledger.fault('client aborts mid-stream');
      return { abortAfterPieces: random.int(1, 20) };
    }
    if (roll < 0.17) {
      ledger.fault('client aborts at a random moment');
      return { abortAfterMs: random.int(0, 400) };
    }
    return {};
  }

  async function chat(action: 'send' | 'regenerate' | 'edit') {
    const conversation = action === 'send' && (owned.length === 0 || random.chance(0.35)) ? undefined : random.pick(owned.length ? owned : [undefined]);
    if (action !== 'send' && !conversation) return;
    const userMessages = conversation?.messages.filter((m) => m.role === 'user') ?? [];
    const edited = action === 'edit' ? random.pick(userMessages.length ? userMessages : [undefined]) : undefined;
    if (action === 'edit' && !edited) return;
    if (action === 'regenerate' && !userMessages.length) return;
    const content = action === 'regenerate' ? undefined : sentence();
    const body = {
      model: random.pick(LOAD_MODELS),
      action,
      ...(conversation ? { conversation_id: conversation.id } : {}),
      ...(content !== undefined ? { content } : {}),
      ...(edited ? { message_id: edited.id } : {}),
    };
    ledger.modelRequest(user.id);
    const r = await request({ kind: `chat-${action}`, method: 'POST', path: '/api/chat', body, ...abortPlan() });
    if (!r) return;
    const parts = r.status === 200 ? parsedEvents(r.events) : [];
    const start = parts.find((p) => p.type === 'start') as
      { messageId: string; messageMetadata: { conversation_id: string; user_message_id: string } } | undefined;
    // A failure before the reply started still names the reply it stored (as failed).
    const failedId = typeof r.json?.message_id === 'string' ? r.json.message_id : undefined;
    const replyId = start?.messageId ?? failedId;
    const conversationId = start?.messageMetadata.conversation_id ?? (r.json?.conversation_id as string | undefined);
    const userMessageId = start?.messageMetadata.user_message_id ?? (r.json?.user_message_id as string | undefined);
    if (!replyId || !conversationId || !userMessageId) {
      // Nothing stored, as far as the client knows: refused (4xx), or unknown (5xx, lost).
      if (conversation && (r.lost || r.status === 'network' || r.status >= 500)) conversation.uncertain = true;
      return;
    }
    const metadata = parts.find((p) => p.type === 'message-metadata') as
      { messageMetadata: { status: string; usage: { input_tokens: number; output_tokens: number } } } | undefined;
    const told = metadata?.messageMetadata;
    ledger.chatCalls.set(replyId, { userId: user.id, usage: told && { input: told.usage.input_tokens, output: told.usage.output_tokens } });
    const seen = parts
      .filter((p) => p.type === 'text-delta')
      .map((p) => p.delta as string)
      .join('');
    const reply: ExpectedMessage = told
      ? { id: replyId, role: 'assistant', statuses: [told.status], seen, relation: 'equal' }
      : failedId
        ? { id: replyId, role: 'assistant', statuses: ['failed'], seen: '', relation: 'equal' }
        : r.crashed
          ? { id: replyId, role: 'assistant', statuses: ['failed', 'complete', 'stopped'], seen, relation: 'related' }
          : { id: replyId, role: 'assistant', statuses: ['stopped', 'complete', 'failed'], seen, relation: 'extends' };
    let target = conversation;
    if (!target) {
      target = { id: conversationId, userId: user.id, uncertain: false, deleted: false, messages: [] };
      owned.push(target);
      ledger.conversations.set(target.id, target);
    }
    const messages = target.messages;
    if (action === 'send') {
      messages.push({ id: userMessageId, role: 'user', statuses: ['complete'], seen: content!, relation: 'equal' }, reply);
    } else {
      // The branch shown changes (docs/decisions/018): regenerate answers the last user message
      // again, edit puts a new user message in the edited one's place; the replies after leave the
      // branch (they stay in the tree as earlier versions).
      if (action === 'edit') {
        const index = messages.findIndex((m) => m.id === edited!.id);
        if (index < 0 || userMessageId === edited!.id) target.uncertain = true;
        else messages.splice(index, messages.length, { id: userMessageId, role: 'user', statuses: ['complete'], seen: content!, relation: 'equal' }, reply);
      } else {
        const index = messages.map((m) => m.role).lastIndexOf('user');
        if (index < 0 || messages[index]!.id !== userMessageId) target.uncertain = true;
        else messages.splice(index + 1, messages.length, reply);
      }
    }
  }

  async function completion(stream: boolean) {
    if (!key) await churnKeys();
    if (!key) return;
    const body = {
      model: random.pick(LOAD_MODELS),
      messages: [...(random.chance(0.3) ? [{ role: 'system', content: sentence() }] : []), { role: 'user', content: sentence() }],
      ...(random.chance(0.5) ? { max_tokens: random.int(5, 60) } : {}),
      ...(stream ? { stream: true, ...(random.chance(0.7) ? { stream_options: { include_usage: true } } : {}) } : {}),
    };
    ledger.modelRequest(user.id);
    const r = await request({
      kind: stream ? 'v1-stream' : 'v1-json',
      method: 'POST',
      path: '/v1/chat/completions',
      body,
      auth: 'key',
      ...(stream ? abortPlan() : {}),
    });
    if (!r || r.status !== 200) return;
    const chunks = stream ? parsedEvents(r.events) : r.json ? [r.json] : [];
    const id = chunks.find((c) => typeof c.id === 'string')?.id as string | undefined;
    if (!id?.startsWith('chatcmpl-')) return void ledger.problem(`a completion without its chatcmpl- id: ${JSON.stringify(chunks[0])}`);
    const usage = chunks.find((c) => c.usage)?.usage as { prompt_tokens: number; completion_tokens: number } | undefined;
    ledger.apiCalls.set(id.slice('chatcmpl-'.length), { userId: user.id, usage: usage && { input: usage.prompt_tokens, output: usage.completion_tokens } });
  }

  async function rename() {
    const c = random.pick(owned.length ? owned : [undefined]);
    if (!c) return;
    const title = sentence().slice(0, 60);
    const r = await request({ kind: 'rename', method: 'PATCH', path: `/api/conversations/${c.id}`, body: { title } });
    // The server trims titles (a 60-character cut can end in a space).
    if (r?.status === 200) c.title = title.trim();
    else if (!r || r.lost || r.status === 'network' || r.status >= 500) c.uncertain = true;
  }

  async function remove() {
    const c = random.pick(owned.length ? owned : [undefined]);
    if (!c) return;
    const r = await request({ kind: 'delete', method: 'DELETE', path: `/api/conversations/${c.id}` });
    if (r?.status === 204) c.deleted = true;
    else if (!r || r.lost || r.status === 'network' || r.status >= 500) c.uncertain = true;
    else return;
    owned.splice(owned.indexOf(c), 1);
  }

  /** A new key; the one before is revoked and must then be refused. */
  async function churnKeys() {
    const r = await request({ kind: 'key-create', method: 'POST', path: '/api/keys', body: { name: `load ${turn}` } });
    if (r?.status === 409) {
      // Revokes lost to faults left too many keys: revoke all but the current one.
      const list = await request({ kind: 'key-list', method: 'GET', path: '/api/keys' });
      for (const k of (list?.json?.items as { id: string; revoked_at: string | null }[] | undefined) ?? []) {
        if (k.id !== key?.id && !k.revoked_at) await request({ kind: 'key-revoke', method: 'DELETE', path: `/api/keys/${k.id}` });
      }
      return;
    }
    if (r?.status !== 201) return;
    const old = key;
    key = { id: r.json!.id as string, key: r.json!.key as string };
    if (!old) return;
    const revoked = await request({ kind: 'key-revoke', method: 'DELETE', path: `/api/keys/${old.id}` });
    if (revoked?.status !== 204) return;
    const slot = cluster.pick(turn++);
    if (!slot) return;
    const refused = await call({ ledger, slot, kind: 'revoked-key', method: 'GET', path: '/v1/models', token: old.key });
    // 401; or 503 while the database that would say so cannot be reached. Never served.
    if (!refused.lost && refused.status !== 401 && refused.status !== 503) ledger.problem(`a revoked API key answered ${refused.status} on GET /v1/models`);
  }

  const actions: Record<Action, () => Promise<unknown>> = {
    send: () => chat('send'),
    regenerate: () => chat('regenerate'),
    edit: () => chat('edit'),
    v1Stream: () => completion(true),
    v1Json: () => completion(false),
    rename,
    remove,
    list: () =>
      request({ kind: 'list', method: 'GET', path: `/api/conversations?limit=${random.int(1, 50)}${random.chance(0.3) ? `&q=${random.pick(WORDS)}` : ''}` }),
    read: () => {
      const c = random.pick(owned.length ? owned : [undefined]);
      return c ? request({ kind: 'read', method: 'GET', path: `/api/conversations/${c.id}` }) : Promise.resolve();
    },
    keys: churnKeys,
  };

  while (Date.now() < deadline) {
    await actions[random.weighted(WEIGHTS)]();
    // A moment between actions, as people and scripts take.
    await new Promise((r) => setTimeout(r, random.int(0, 60)));
  }
}
