// The signed-in session. The access token lives in this object only (never in localStorage, so
// an injected script cannot lift it from storage); the httpOnly refresh cookie restores the
// session after a reload. Refreshes are serialised, within the tab by sharing one promise and
// across tabs with the Web Locks API: the server rotates the cookie on every refresh and treats a
// replayed old cookie as theft (revoking the session) unless it comes within a few seconds, while
// the new cookie is unused (a reload cut the request short; docs/decisions/002).
import { problemFromResponse } from './problem';
import type { TokenResponse, User } from './types';

export type SessionStatus = 'loading' | 'authenticated' | 'anonymous';

export interface SessionState {
  status: SessionStatus;
  user: User | null;
  /** Why the session is anonymous: it expired (a 401 that a refresh could not fix) or the user left. */
  ended?: 'expired' | 'logged-out';
}

type RefreshOutcome = 'ok' | 'rejected' | 'unreachable';

export interface SessionDeps {
  fetch?: typeof fetch;
  /** Whether the server's signed-in hint cookie is here; by default, read from document.cookie. */
  signedIn?: () => boolean;
  /** Cross-tab lock; defaults to navigator.locks where the browser has it. */
  locks?: Pick<LockManager, 'request'> | null;
}

const REFRESH_LOCK = 'quota-chat:refresh';

export class SessionStore {
  #state: SessionState = { status: 'loading', user: null };
  #token: string | null = null;
  #refreshing: Promise<RefreshOutcome> | null = null;
  readonly #listeners = new Set<() => void>();
  readonly #fetch: typeof fetch;
  readonly #locks: Pick<LockManager, 'request'> | null;
  readonly #signedIn: () => boolean;

  constructor(deps: SessionDeps = {}) {
    this.#signedIn = deps.signedIn ?? hasSignedInHint;
    this.#fetch = deps.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#locks = deps.locks !== undefined ? deps.locks : (globalThis.navigator?.locks ?? null);
  }

  getState = (): SessionState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  get accessToken(): string | null {
    return this.#token;
  }

  /**
   * On page load: trade the refresh cookie (if any) for an access token. The httpOnly cookie is
   * out of this script's sight; the server's readable hint beside it says whether one is there, so
   * a signed-out visit asks nothing and logs no 401 (docs/decisions/020).
   */
  async restore(): Promise<void> {
    if (!this.#signedIn()) {
      this.#set({ status: 'anonymous', user: null });
      return;
    }
    const outcome = await this.refresh();
    if (outcome !== 'ok') this.#set({ status: 'anonymous', user: null });
  }

  /** One refresh at a time: concurrent callers share the request in flight. */
  refresh(): Promise<RefreshOutcome> {
    this.#refreshing ??= this.#withLock(() => this.#doRefresh()).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async login(email: string, password: string): Promise<User> {
    const res = await this.#fetch('/api/auth/login', jsonInit('POST', { email, password }));
    if (!res.ok) throw await problemFromResponse(res);
    return this.#accept((await res.json()) as TokenResponse);
  }

  /** Creates the account, then signs in with it. */
  async register(email: string, password: string): Promise<User> {
    const res = await this.#fetch('/api/auth/register', jsonInit('POST', { email, password }));
    if (!res.ok) throw await problemFromResponse(res);
    return this.login(email, password);
  }

  async logout(): Promise<void> {
    try {
      await this.#fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' });
    } catch {
      // Offline: the local session ends anyway; the cookie expires on its own.
    }
    this.#token = null;
    this.#set({ status: 'anonymous', user: null, ended: 'logged-out' });
  }

  setUser(user: User): void {
    if (this.#state.status === 'authenticated') this.#set({ ...this.#state, user });
  }

  /**
   * fetch() with the access token. A 401 triggers one (shared) refresh and one retry; when the
   * refresh is refused the session ends as 'expired' and the 401 is returned to the caller.
   */
  fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const send = (token: string | null) => this.#fetch(input, { ...init, headers: withBearer(init.headers, token) });
    const used = this.#token;
    const first = await send(used);
    if (first.status !== 401 || (await isCredentialError(first))) return first;

    // A refresh may have finished while this request was in flight: then retry with its token.
    const outcome: RefreshOutcome = this.#token && this.#token !== used ? 'ok' : await this.refresh();
    if (outcome === 'unreachable') return first;
    if (outcome === 'rejected') {
      this.#expire();
      return first;
    }
    const second = await send(this.#token);
    if (second.status === 401) this.#expire();
    return second;
  };

  async #doRefresh(): Promise<RefreshOutcome> {
    let res: Response;
    try {
      res = await this.#fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' } });
    } catch {
      return 'unreachable';
    }
    if (res.status >= 500) return 'unreachable';
    if (!res.ok) return 'rejected';
    this.#accept((await res.json()) as TokenResponse);
    return 'ok';
  }

  #withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.#locks) return fn();
    return this.#locks.request(REFRESH_LOCK, fn) as Promise<T>;
  }

  #accept(body: TokenResponse): User {
    this.#token = body.access_token;
    this.#set({ status: 'authenticated', user: body.user });
    return body.user;
  }

  #expire() {
    if (this.#state.status === 'anonymous' && this.#token === null) return;
    this.#token = null;
    this.#set({ status: 'anonymous', user: null, ended: 'expired' });
  }

  #set(state: SessionState) {
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }
}

/** The server sets `qc_signed_in=1` with every session and clears it when the session ends. */
export const SIGNED_IN_HINT = 'qc_signed_in';

function hasSignedInHint(): boolean {
  return typeof document !== 'undefined' && document.cookie.split(/;\s*/).includes(`${SIGNED_IN_HINT}=1`);
}

/** A 401 about a password the user typed (e.g. the current one, when changing it), not the session. */
async function isCredentialError(res: Response): Promise<boolean> {
  try {
    const body = (await res.clone().json()) as { code?: string };
    return body.code === 'INVALID_CREDENTIALS';
  } catch {
    return false;
  }
}

function jsonInit(method: string, body: unknown): RequestInit {
  return { method, credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) };
}

function withBearer(headers: HeadersInit | undefined, token: string | null): Headers {
  const out = new Headers(headers);
  if (token) out.set('authorization', `Bearer ${token}`);
  else out.delete('authorization');
  return out;
}
