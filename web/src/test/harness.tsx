// Test helpers: render a page with a session and API backed by a fake fetch, and build the
// server's responses (JSON, problem+json, and the AI SDK UI message stream over SSE).
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { ServicesProvider } from '../lib/app-context';
import { SessionStore } from '../lib/session';
import type { ModelsResponse, TokenResponse, User } from '../lib/types';

export type Handler = (url: URL, init: RequestInit) => Response | Promise<Response>;

export interface FakeServer {
  fetch: typeof fetch;
  calls: { method: string; path: string; body: unknown; headers: Headers }[];
}

/** A fetch that answers from `routes` ("POST /api/chat" → handler); anything else is a 404. */
export function fakeServer(routes: Record<string, Handler>): FakeServer {
  const calls: FakeServer['calls'] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : input, 'http://localhost');
    const method = (init.method ?? 'GET').toUpperCase();
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ method, path: url.pathname, body, headers: new Headers(init.headers) });
    const handler = routes[`${method} ${url.pathname}`];
    if (!handler) return problem(404, 'NOT_FOUND', `No route for ${method} ${url.pathname}`);
    return handler(url, init);
  }) as typeof fetch;
  return { fetch: fetchImpl, calls };
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export const problem = (status: number, code: string, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: 'about:blank', title: detail, status, detail, code, ...extra }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

export const testUser: User = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'ada@example.com',
  tier: 'free',
  role: 'user',
  is_active: true,
  tier_updated_at: null,
  created_at: '2026-07-01T00:00:00.000Z',
  email_verified: true,
};

/** GET /api/models with the one offline model, as the free plan sees it. */
export const demoModels = () =>
  json({
    models: [
      {
        id: 'demo',
        label: 'Demo (offline)',
        provider: 'demo',
        context_window: 8192,
        max_output_tokens: 1024,
        input_price_per_million_usd: 0,
        output_price_per_million_usd: 0,
        input_price_per_million_micro_usd: 0,
        output_price_per_million_micro_usd: 0,
        tiers: ['free', 'starter', 'builder', 'advanced'],
      },
    ],
    default_model: 'demo',
    other_models: [],
  } satisfies ModelsResponse);

export const tokens = (token: string, user: User = testUser): TokenResponse => ({ access_token: token, token_type: 'bearer', expires_in: 900, user });

/** An SSE response the test writes to chunk by chunk (UI message stream protocol). */
export function sseStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    response: new Response(body, {
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'x-vercel-ai-ui-message-stream': 'v1' },
    }),
    send(chunk: Record<string, unknown>) {
      controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
    },
    end() {
      controller.enqueue(encoder.encode('data: [DONE]\n\n'));
      controller.close();
    },
    /** What an aborted fetch does to its body. */
    abort() {
      try {
        controller.error(new DOMException('The operation was aborted.', 'AbortError'));
      } catch {
        // already closed
      }
    },
  };
}

/** A session already signed in with the given fetch. */
export async function signedInSession(server: FakeServer, token = 'token-1'): Promise<SessionStore> {
  const session = new SessionStore({ fetch: server.fetch, locks: null });
  await session.restore();
  if (session.getState().status !== 'authenticated') throw new Error(`the fake server did not restore a session (${token})`);
  return session;
}

export function renderWithServices(ui: ReactNode, session: SessionStore) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <ServicesProvider session={session}>
      <QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>
    </ServicesProvider>,
  );
}
