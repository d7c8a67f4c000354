// The business core: a model call may start only after its worst case is reserved against the
// month's limit (invariant 1), and every call that started ends as exactly one usage record with
// the monthly aggregate moved in the same transaction (invariant 2).
import type { Db } from '../../db/db.js';
import { retryOnConnectionLoss } from '../../db/retry.js';
import { countTextTokens } from '../model-calls/tokens.js';
import { AppError } from '../../lib/errors.js';
import type { UsageMetrics } from '../metrics/metrics.js';
import type { RateLimiter } from '../rate-limits/rate-limits.service.js';
import { getTierLimits, type TierName, type TierTable } from '../tiers/tiers.js';
import { monthOf, monthResetsAt } from './month.js';
import { costNanoUsd, type ModelPrice } from './pricing.js';
import {
  deleteReservation,
  ensureMonthlyUsage,
  findExpiredReservationIds,
  insertReservation,
  insertUsageRecordAndAggregate,
  lockMonthlyUsage,
} from './usage.repository.js';

export interface ModelPricing extends ModelPrice {
  provider: string;
}

export interface UsageServiceDeps {
  db: Db;
  tiers: TierTable;
  rateLimiter: RateLimiter;
  now: () => Date;
  /** Provider and prices of a catalogue model; undefined for an unknown id. */
  pricingOf: (modelId: string) => ModelPricing | undefined;
  /** A reservation older than this was left by a crashed process; the reaper settles it. */
  reservationTtlMs: number;
  metrics?: UsageMetrics;
}

export interface ReserveInput {
  user: { id: string };
  requestId: string;
  model: string;
  promptTokens: number;
  maxOutputTokens: number;
  conversationId?: string | null;
  messageId?: string | null;
}

export interface SettleInput {
  requestId: string;
  userId: string;
  conversationId?: string | null;
  messageId?: string | null;
  provider?: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  source: 'provider' | 'estimate';
  outcome: 'complete' | 'stopped' | 'failed';
}

/**
 * Our tokenizer (o200k) can count a prompt lower than the provider does (message framing, other
 * vocabularies: Anthropic's and Llama's run some tens of percent higher on many texts). The
 * reservation covers the prompt with a margin per provider so that the settled, real count stays
 * inside it and the hard cap holds; an overrun is counted in /metrics so an operator sees it.
 */
const PROMPT_MARGIN: Record<string, number> = { demo: 1.1, openai: 1.1, anthropic: 1.4 };
const UNKNOWN_TOKENIZER_MARGIN = 1.5;

export function promptReservation(promptTokens: number, provider = 'demo'): number {
  return Math.ceil(promptTokens * (PROMPT_MARGIN[provider] ?? UNKNOWN_TOKENIZER_MARGIN)) + 16;
}

export function createUsageService(deps: UsageServiceDeps) {
  const { db, now } = deps;

  function limitsFor(user: { tier: TierName; monthly_token_cap: number | null }) {
    const tier = getTierLimits(deps.tiers, user.tier);
    const limit = user.monthly_token_cap === null ? tier.monthlyTokens : Math.min(tier.monthlyTokens, Number(user.monthly_token_cap));
    return { tier, limit };
  }

  async function loadUser(id: string) {
    const { rows } = await db.query<{ tier: TierName; monthly_token_cap: number | null }>(
      'SELECT tier, monthly_token_cap FROM users WHERE id = $1',
      [id],
    );
    if (!rows[0]) throw new AppError('UNAUTHENTICATED');
    return rows[0];
  }

  function quotaExceeded(month: string, limit: number, needed: number, usage: { total_tokens: number; reserved_tokens: number }) {
    const available = Math.max(0, limit - usage.total_tokens - usage.reserved_tokens);
    const resetsAt = monthResetsAt(month);
    // Until the month resets, unless reservations in flight are released sooner.
    const retryAfter = Math.max(1, Math.ceil((resetsAt.getTime() - now().getTime()) / 1000));
    return new AppError(
      'QUOTA_EXCEEDED',
      `This request needs about ${needed} tokens but only ${available} of your ${limit} monthly tokens remain; the limit resets on ${resetsAt.toISOString().slice(0, 10)}.`,
      { limit, used: usage.total_tokens, reserved: usage.reserved_tokens, remaining: available, resets_at: resetsAt.toISOString() },
      usage.reserved_tokens > 0 ? {} : { 'retry-after': String(retryAfter) },
    );
  }

  /**
   * Reserves prompt (with margin) + output cap against the month under a row lock. If the whole
   * does not fit, the output cap is lowered to what remains; if not even the prompt and one
   * output token fit, the request is refused with QUOTA_EXCEEDED before any upstream call.
   */
  async function reserveBudget(input: ReserveInput) {
    const user = await loadUser(input.user.id);
    const { tier, limit } = limitsFor(user);
    await deps.rateLimiter.hit([{ key: `model-calls:${input.user.id}`, limit: tier.requestsPerMinute, windowSeconds: 60 }]);
    const month = monthOf(now());
    const provider = deps.pricingOf(input.model)?.provider ?? 'unknown';
    const promptShare = promptReservation(input.promptTokens, provider);

    return db.transaction(async (tx) => {
      await ensureMonthlyUsage(tx, { userId: input.user.id, month });
      const usage = await lockMonthlyUsage(tx, { userId: input.user.id, month });
      const available = limit - usage.total_tokens - usage.reserved_tokens;
      if (available < promptShare + 1) throw quotaExceeded(month, limit, promptShare + 1, usage);
      const maxOutputTokens = Math.min(input.maxOutputTokens, available - promptShare);
      const tokens = promptShare + maxOutputTokens;
      await insertReservation(tx, {
        request_id: input.requestId,
        user_id: input.user.id,
        month,
        tokens,
        prompt_tokens: input.promptTokens,
        model: input.model,
        provider,
        conversation_id: input.conversationId ?? null,
        message_id: input.messageId ?? null,
        expiresAt: new Date(now().getTime() + deps.reservationTtlMs),
      });
      return { maxOutputTokens, reservedTokens: tokens, month };
    });
  }

  async function settleCall(input: SettleInput) {
    const pricing = deps.pricingOf(input.model);
    const inputTokens = Math.max(0, Math.round(input.inputTokens));
    const outputTokens = Math.max(0, Math.round(input.outputTokens));
    return db.transaction(async (tx) => {
      const reservation = await deleteReservation(tx, { requestId: input.requestId });
      if (reservation && inputTokens + outputTokens > Number(reservation.tokens)) deps.metrics?.overrun(input.model);
      const recorded = await insertUsageRecordAndAggregate(tx, {
        requestId: input.requestId,
        userId: input.userId,
        // A call is charged to the month it started in, whose budget it reserved.
        month: reservation?.month ?? monthOf(now()),
        conversationId: input.conversationId ?? reservation?.conversation_id ?? null,
        messageId: input.messageId ?? reservation?.message_id ?? null,
        provider: input.provider ?? reservation?.provider ?? pricing?.provider ?? 'unknown',
        model: input.model,
        inputTokens,
        outputTokens,
        costNanoUsd: pricing ? costNanoUsd(pricing, inputTokens, outputTokens) : 0n,
        source: input.source,
        outcome: input.outcome,
        createdAt: now(),
      });
      return { recorded };
    });
  }

  /** Settles one abandoned reservation; false if its own process settled it meanwhile. */
  function reapOne(requestId: string) {
    return db.transaction(async (tx) => {
      const r = await deleteReservation(tx, { requestId });
      if (!r) return false;
      const pricing = deps.pricingOf(r.model);
      const promptTokens = Number(r.prompt_tokens);
      // What the dead call produced is known as far as its last checkpoint of the reply's text.
      const { rows: partial } = r.message_id
        ? await tx.query<{ content: string }>("SELECT content FROM messages WHERE id = $1 AND status = 'streaming'", [r.message_id])
        : { rows: [] };
      const outputTokens = countTextTokens(partial[0]?.content ?? '');
      await insertUsageRecordAndAggregate(tx, {
        requestId,
        userId: r.user_id,
        month: r.month,
        conversationId: r.conversation_id,
        messageId: r.message_id,
        provider: r.provider,
        model: r.model,
        inputTokens: promptTokens,
        outputTokens,
        costNanoUsd: pricing ? costNanoUsd(pricing, promptTokens, outputTokens) : 0n,
        source: 'estimate',
        outcome: 'failed',
        createdAt: now(),
      });
      if (r.message_id) {
        // The reply that was streaming when its process died: keep its text, mark it failed.
        await tx.query(
          `UPDATE messages SET status = 'failed', error = COALESCE(error, 'The server stopped while writing this reply.')
           WHERE id = $1 AND status = 'streaming'`,
          [r.message_id],
        );
      }
      return true;
    });
  }

  return {
    limitsFor,

    async reserve(input: ReserveInput): Promise<{ maxOutputTokens: number; reservedTokens: number; month: string }> {
      try {
        return await reserveBudget(input);
      } catch (err) {
        if (err instanceof AppError) deps.metrics?.refused(err.code);
        throw err;
      }
    },

    /**
     * Releases the reservation and records the real usage in one transaction. Idempotent by
     * request id: a retried settle, or one racing the reaper, counts once.
     */
    async settle(input: SettleInput): Promise<{ recorded: boolean }> {
      // Idempotent by request id, so retrying through a database restart cannot count twice.
      const result = await retryOnConnectionLoss(() => settleCall(input));
      if (result.recorded) deps.metrics?.recorded(input.model, input.outcome, input.source, input.inputTokens + input.outputTokens);
      return result;
    },

    /** Gives a reservation back without a record: for calls refused before any upstream request. */
    async release({ requestId }: { requestId: string }): Promise<void> {
      await db.transaction((tx) => deleteReservation(tx, { requestId }));
    },

    /**
     * Settles reservations left by a crashed process: recorded once as failed, with its prompt and
     * the reply text it had checkpointed (both estimated with the tokenizer).
     */
    async reapExpired(): Promise<number> {
      const ids = await findExpiredReservationIds(db, { now: now(), limit: 500 });
      let reaped = 0;
      for (const requestId of ids) if (await reapOne(requestId)) reaped += 1;
      return reaped;
    },
  };
}

export type UsageService = ReturnType<typeof createUsageService>;
