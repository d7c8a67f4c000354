// The seam between model calls and metering. model-call.ts calls these around every upstream
// model call; server/src/features/usage/ implements them against PostgreSQL.
import type { TierName } from '../tiers/tiers.js';

/**
 * Where a call is charged beyond the user: the API key it came with (its own monthly cap, null for
 * none), and the team whose pool pays for it instead of the user's personal month (its tier, and
 * the member's cap inside it). Every level is reserved against at once, the output cap lowered to
 * the smallest remainder.
 */
export interface Charge {
  key?: { id: string; monthly_token_cap: number | null };
  team?: { id: string; tier: TierName; member_cap: number | null };
}

export interface ReserveRequest {
  /** With the user's own cap as loaded with the request (undefined: the meter looks it up). */
  user: { id: string; tier: TierName; monthly_token_cap?: number | null };
  /** Fresh per model call; reserve, settle and release of one call share it. */
  requestId: string;
  /** Catalogue model id. */
  model: string;
  promptTokens: number;
  maxOutputTokens: number;
  /** Null for a stateless call (the /v1 API stores no conversation). */
  conversationId: string | null;
  /** The assistant message this call writes (its row exists by the time the upstream is called). */
  messageId: string | null;
  charge?: Charge;
}

export interface SettleRequest {
  requestId: string;
  userId: string;
  conversationId: string | null;
  messageId: string | null;
  /** The key the call was charged to (its reservation's): its month moves with the user's. */
  keyId?: string | null;
  /** The team the call was charged to (its reservation's): its pool and the member's share move instead of the user's month. */
  teamId?: string | null;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** 'provider' when the provider reported the usage, 'estimate' when counted with gpt-tokenizer. */
  source: 'provider' | 'estimate';
  outcome: 'complete' | 'stopped' | 'failed';
}

/** One limit as it stands after a reservation: the count it allows, what is left, and when it starts over. */
export interface LimitState {
  limit: number;
  remaining: number;
  resetMs: number;
}

/**
 * Where a user's limits stand once a call is reserved, as the reservation already knows them (no
 * query of its own): the requests of the minute, and the month's tokens, the call's worst case
 * counted as used until it settles. /v1 reports them as OpenAI's x-ratelimit-* headers.
 */
export interface QuotaState {
  requests: LimitState;
  tokens: LimitState;
}

export interface UsageMeter {
  /**
   * Before the upstream call. May throw an AppError (e.g. 429 QUOTA_EXCEEDED): the client then
   * gets a problem response and nothing is stored. Returns the output cap to pass to the model,
   * possibly lower than asked.
   */
  reserve(request: ReserveRequest): Promise<{ maxOutputTokens: number; quota?: QuotaState }>;
  /** Exactly once per upstream call that started, whatever its outcome. */
  settle(request: SettleRequest): Promise<unknown>;
  /** For a reserved call that never reached the upstream. */
  release(request: { requestId: string }): Promise<unknown>;
}
