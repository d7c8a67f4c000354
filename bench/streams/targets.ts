// The targets, side by side: the fake upstream called directly (what "added" time is measured
// over), the bare pass-through, Portkey, and our server by its two doors with one user per stream
// (up to the number of users made) or a single user for every stream.
import type { Account } from './accounts.js';
import { paceTag, replyText, type Pacing, type PhaseSpec, type WireFormat } from './protocol.js';
import type { Settings, TargetId } from './settings.js';

export interface Ports {
  upstream: number;
  passthrough: number;
  portkey: number;
  ours: number;
}

interface TargetShape {
  port: keyof Ports;
  path: string;
  format: WireFormat;
  /** Our server's /api/chat takes one message; everything else OpenAI's body. */
  chatBody?: boolean;
  /** Authorization values at a level (worker i uses the i-th, round robin). */
  auth: (accounts: Account[], level: number) => string[];
  headers?: (ports: Ports) => Record<string, string>;
}

const upstreamKey = () => ['Bearer sk-bench'];

export const TARGETS: Record<TargetId, TargetShape> = {
  direct: { port: 'upstream', path: '/v1/chat/completions', format: 'openai', auth: upstreamKey },
  passthrough: { port: 'passthrough', path: '/v1/chat/completions', format: 'openai', auth: upstreamKey },
  // Portkey's OpenAI provider sent to another OpenAI-compatible host (node_modules/@portkey-ai/gateway: x-portkey-custom-host).
  portkey: {
    port: 'portkey',
    path: '/v1/chat/completions',
    format: 'openai',
    auth: upstreamKey,
    headers: (p) => ({ 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `http://127.0.0.1:${p.upstream}/v1` }),
  },
  'ours-v1-keys': { port: 'ours', path: '/v1/chat/completions', format: 'openai', auth: (a, level) => a.slice(0, level).map((u) => `Bearer ${u.apiKey}`) },
  'ours-v1-1key': { port: 'ours', path: '/v1/chat/completions', format: 'openai', auth: (a) => [`Bearer ${a[0]!.apiKey}`] },
  'ours-chat-users': {
    port: 'ours',
    path: '/api/chat',
    format: 'ui',
    chatBody: true,
    auth: (a, level) => a.slice(0, level).map((u) => `Bearer ${u.accessToken}`),
  },
  'ours-chat-1user': { port: 'ours', path: '/api/chat', format: 'ui', chatBody: true, auth: (a) => [`Bearer ${a[0]!.accessToken}`] },
};

/** The row label of a target (at a level: how many users it spreads over). */
export function targetLabel(id: TargetId, users?: number): string {
  const many = users === undefined ? 'N' : String(users);
  return {
    direct: 'upstream, direct',
    passthrough: 'bare pass-through',
    portkey: 'Portkey 1.15.2',
    'ours-v1-keys': `ours /v1, ${many} keys`,
    'ours-v1-1key': 'ours /v1, 1 key',
    'ours-chat-users': `ours /api/chat, ${many} users`,
    'ours-chat-1user': 'ours /api/chat, 1 user',
  }[id];
}

export const isOurs = (id: TargetId) => id.startsWith('ours-');

export function phaseSpec(args: {
  id: TargetId;
  kind: 'stream' | 'json';
  level: number;
  ports: Ports;
  accounts: Account[];
  settings: Settings;
  pace: Pacing;
}): PhaseSpec {
  const { id, kind, level, ports, accounts, settings, pace } = args;
  const t = TARGETS[id];
  const content = `Say something, benchmark. ${paceTag(pace)}`;
  const body = t.chatBody
    ? { model: 'bench-model', content }
    : { model: 'bench-model', ...(kind === 'stream' ? { stream: true, stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content }] };
  return {
    kind,
    host: '127.0.0.1',
    port: ports[t.port],
    path: t.path,
    headers: { 'content-type': 'application/json', ...t.headers?.(ports) },
    auth: t.auth(accounts, level),
    body: JSON.stringify(body),
    format: t.format,
    level,
    perWorker: kind === 'stream' ? (settings.perWorker[level] ?? 1) : 0,
    durationMs: kind === 'json' ? settings.json.durationMs : 0,
    expectedTextLength: replyText(pace.chunks).length,
    streamTimeoutMs: settings.streamTimeoutMs,
  };
}
