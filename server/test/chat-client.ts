// A plain HTTP client for the real server processes in the multi-process tests.
export async function registerAndLogin(baseUrl: string, email: string, password = 'correct horse battery') {
  const post = (path: string, body: unknown) =>
    fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const reg = await post('/api/auth/register', { email, password });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);
  const login = await post('/api/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const body = (await login.json()) as { access_token: string; user: { id: string } };
  return { token: body.access_token, userId: body.user.id };
}

export interface ChatOutcome {
  status: number;
  /** The parsed `data:` parts of an SSE reply (empty for a problem response). */
  parts: Record<string, unknown>[];
  problem?: Record<string, unknown>;
  text: string;
}

/** POST /api/chat and read the whole reply. */
export async function chat(baseUrl: string, token: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<ChatOutcome> {
  const res = await fetch(`${baseUrl}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal,
  });
  const raw = await res.text();
  if (!res.headers.get('content-type')?.includes('text/event-stream')) {
    return { status: res.status, parts: [], problem: JSON.parse(raw) as Record<string, unknown>, text: '' };
  }
  const parts = raw
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);
  const text = parts
    .filter((p) => p.type === 'text-delta')
    .map((p) => p.delta)
    .join('');
  return { status: res.status, parts, text };
}
