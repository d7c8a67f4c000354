// The business core: a model call may start only after its worst case is reserved against the
// month's limit (invariant 1), and every call that started ends as exactly one usage record with
// the monthly aggregate moved in the same transaction (invariant 2).
import { AppError } from '../../lib/errors.js';
import { countTextTokens } from '../../lib/model-calls/tokenizer.js';
import type { Charge, QuotaState } from '../../lib/model-calls/usage-meter.js';
import { getTierLimits, type TierLimits, type TierName, type TierTable } from '../../lib/tiers/tiers.js';
import type { Db, Queryable } from '../../platform/db/db.js';
import { isConnectionError, retryOnConnectionLoss, retryOnDeadlock } from '../../platform/db/retry.js';
import { createStatementBatcher, type ItemResult } from '../../platform/db/statement-batcher.js';
import type { UsageMetrics } from '../../platform/metrics/metrics.js';
import type { RateLimiter } from '../../platform/rate-limits/rate-limits.service.js';
import { reserveAtOnce, reserveNested, type BudgetLevel, type NestedReservation } from './budget.repository.js';
import { detachUsageOfUser } from './detach.repository.js';
import { monthOf, monthResetsAt } from './month.js';
import { costNanoUsd, type ModelPrice } from './pricing.js';
import { findMonthlyUsageOfKeys } from './usage-report.repository.js';
import { deleteReservation, findExpiredReservations, settleUsage, type NewUsageRecord, type Settlement } from './usage.repository.js';

function keyIdOf(levels: BudgetLevel[]): string | null {
  for (const { account } of levels) if (account.kind === 'key') return account.keyId;
  return null;
}

function teamIdOf(levels: BudgetLevel[]): string | null {
  for (const { account } of levels) if (account.kind === 'team') return account.teamId;
  return null;
}

/** A key without a cap of its own is a level that never refuses; its month is still kept. */
const NO_CAP = Number.MAX_SAFE_INTEGER;

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
  /** A user's tier and own cap, for a caller that did not pass them (the users module's service). */
  findUser: (id: string) => Promise<{ tier: TierName; monthly_token_cap: number | null } | undefined>;
  /**
   * The replies that a dead process was streaming (the conversations module's service): their
   * checkpointed text, to charge what they produced, and marking them failed once settled.
   */
  streamingReplies?: {
    textOf(messageId: string): Promise<string>;
    markFailed(messageId: string): Promise<void>;
  };
}

export interface ReserveInput {
  /** Tier and cap as loaded with the request; looked up when not given. */
  user: { id: string; tier?: TierName; monthly_token_cap?: number | null };
  requestId: string;
  model: string;
  promptTokens: number;
  maxOutputTokens: number;
  conversationId?: string | null;
  messageId?: string | null;
  charge?: Charge;
}

export interface SettleInput {
  requestId: string;
  userId: string;
  conversationId?: string | null;
  messageId?: string | null;
  keyId?: string | null;
  teamId?: string | null;
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

/**
 * Which limit binds a call, and so what a refusal blames: the tier's allowance, the user's own
 * lower cap, the API key's cap, a team's pool or the member's cap in it (docs/decisions/019).
 */
export type QuotaLevel = 'tier' | 'personal_cap' | 'key_cap' | 'team_pool' | 'member_cap';

/** Calls settled in one statement at most (a few KB of parameters). */
const SETTLE_BATCH_MAX = 64;

export function createUsageService(deps: UsageServiceDeps) {
  const { db, now } = deps;

  function limitsFor(user: { tier: TierName; monthly_token_cap: number | null }): { tier: TierLimits; limit: number; level: QuotaLevel } {
    const tier = getTierLimits(deps.tiers, user.tier);
    const cap = user.monthly_token_cap === null ? null : Number(user.monthly_token_cap);
    // A cap equal to the tier's allowance changes nothing: the tier is what binds.
    if (cap === null || cap >= tier.monthlyTokens) return { tier, limit: tier.monthlyTokens, level: 'tier' };
    return { tier, limit: cap, level: 'personal_cap' };
  }

  async function limitsOf(user: ReserveInput['user']) {
    if (user.tier !== undefined && user.monthly_token_cap !== undefined) return limitsFor({ tier: user.tier, monthly_token_cap: user.monthly_token_cap });
    const found = await deps.findUser(user.id);
    if (!found) throw new AppError('UNAUTHENTICATED');
    return limitsFor(found);
  }

  /** "only N of <this> remain", per level. */
  const LEVEL_WORDS: Record<QuotaLevel, (limit: number) => string> = {
    tier: (limit) => `your ${limit} monthly tokens`,
    personal_cap: (limit) => `your own monthly cap of ${limit} tokens`,
    key_cap: (limit) => `this API key's monthly cap of ${limit} tokens`,
    team_pool: (limit) => `the team's ${limit} monthly tokens`,
    member_cap: (limit) => `your monthly cap of ${limit} tokens in this team`,
  };

  function quotaExceeded(
    refusal: { level: QuotaLevel; month: string; limit: number; needed: number },
    usage: { total_tokens: number; reserved_tokens: number },
  ) {
    const { level, month, limit, needed } = refusal;
    const available = Math.max(0, limit - usage.total_tokens - usage.reserved_tokens);
    const resetsAt = monthResetsAt(month);
    // Until the month resets, unless reservations in flight are released sooner.
    const retryAfter = Math.max(1, Math.ceil((resetsAt.getTime() - now().getTime()) / 1000));
    return new AppError(
      'QUOTA_EXCEEDED',
      `This request needs about ${needed} tokens but only ${available} of ${LEVEL_WORDS[level](limit)} remain; the limit resets on ${resetsAt.toISOString().slice(0, 10)}.`,
      { level, limit, used: usage.total_tokens, reserved: usage.reserved_tokens, remaining: available, resets_at: resetsAt.toISOString() },
      usage.reserved_tokens > 0 ? {} : { 'retry-after': String(retryAfter) },
    );
  }

  /**
   * The levels a call is charged to, each with its limit and the name its refusal gives: a team's
   * call the team's pool (its tier's monthly tokens) and the member's cap in it, a personal call
   * the user's month; the key's cap either way (a key without one is kept, never binding).
   */
  function levelsOf(input: ReserveInput, personal: { limit: number; level: QuotaLevel }): (BudgetLevel & { level: QuotaLevel })[] {
    const key = input.charge?.key;
    const keyLevels = key
      ? [
          {
            account: { kind: 'key' as const, keyId: key.id },
            limit: key.monthly_token_cap === null ? NO_CAP : Number(key.monthly_token_cap),
            level: 'key_cap' as const,
          },
        ]
      : [];
    const team = input.charge?.team;
    if (team) {
      const pool = getTierLimits(deps.tiers, team.tier).monthlyTokens;
      return [
        { account: { kind: 'team', teamId: team.id }, limit: pool, level: 'team_pool' },
        {
          account: { kind: 'member', teamId: team.id, userId: input.user.id },
          limit: team.member_cap === null ? NO_CAP : Number(team.member_cap),
          level: 'member_cap',
        },
        ...keyLevels,
      ];
    }
    return [...keyLevels, { account: { kind: 'user', userId: input.user.id }, limit: personal.limit, level: personal.level }];
  }

  type Granted = { tokens: number; limit: number; remaining: number };

  /**
   * One statement over every level (budget.repository.ts's reserveAtOnce); on a level's first call
   * of the month, one transaction that makes the month rows too (reserveNested). Answers what was
   * granted and the level that binds now (the least left), or throws the refusal of the level that
   * ran out.
   */
  async function reserveLevels(levels: (BudgetLevel & { level: QuotaLevel })[], reservation: NestedReservation): Promise<Granted> {
    const outcome = await retryOnDeadlock(async () => {
      const fast = await reserveAtOnce(db, levels, reservation);
      return fast.kind === 'no-month' ? reserveNested(db, levels, reservation) : fast;
    });
    if (outcome.kind === 'refused') {
      const refused = levels[outcome.level]!;
      throw quotaExceeded({ level: refused.level, month: reservation.month, limit: refused.limit, needed: reservation.promptShare + 1 }, outcome.usage);
    }
    const binding = outcome.left.indexOf(Math.min(...outcome.left));
    return { tokens: outcome.tokens, limit: levels[binding]!.limit, remaining: Math.max(0, outcome.left[binding]!) };
  }

  /**
   * Reserves prompt (with margin) + output cap against every level the call is charged to, under
   * their row locks. If the whole does not fit, the output cap is lowered to the smallest
   * remainder; if not even the prompt and one output token fit, the request is refused with
   * QUOTA_EXCEEDED (naming the level) before any upstream call.
   */
  async function reserveBudget(input: ReserveInput) {
    const personal = await limitsOf(input.user);
    // A team's call runs on the team's plan: its tier's requests per minute (still counted per member).
    const tier = input.charge?.team ? getTierLimits(deps.tiers, input.charge.team.tier) : personal.tier;
    const { limit, level } = personal;
    const [requests] = await deps.rateLimiter.hit([{ key: `model-calls:${input.user.id}`, limit: tier.requestsPerMinute, windowSeconds: 60 }]);
    const month = monthOf(now());
    const provider = deps.pricingOf(input.model)?.provider ?? 'unknown';
    const promptShare = promptReservation(input.promptTokens, provider);
    const levels = levelsOf(input, { limit, level });
    const granted = await reserveLevels(levels, {
      requestId: input.requestId,
      userId: input.user.id,
      keyId: keyIdOf(levels),
      teamId: teamIdOf(levels),
      month,
      promptShare,
      promptTokens: input.promptTokens,
      maxOutputTokens: input.maxOutputTokens,
      model: input.model,
      provider,
      conversationId: input.conversationId ?? null,
      messageId: input.messageId ?? null,
      expiresAt: new Date(now().getTime() + deps.reservationTtlMs),
    });
    // What the binding level has left once this call's worst case is set aside: no further query.
    const tokens = { limit: granted.limit, remaining: granted.remaining, resetMs: Math.max(0, monthResetsAt(month).getTime() - now().getTime()) };
    const quota: QuotaState = { requests: requests!, tokens };
    return { maxOutputTokens: granted.tokens - promptShare, reservedTokens: granted.tokens, month, quota };
  }

  /**
   * Settles calls in one statement, retried through lost connections and deadlocks (idempotent by
   * request id, so a retry cannot count twice). A statement that fails otherwise may have failed
   * for one call alone (its user deleted meanwhile, say): each is then settled on its own, so the
   * failure stays that call's.
   */
  async function settleBatch(records: NewUsageRecord[]): Promise<ItemResult<Settlement>[]> {
    try {
      const settled = await retryOnConnectionLoss(() => retryOnDeadlock(() => settleUsage(db, records)));
      return settled.map((value) => ({ value }));
    } catch (error) {
      if (records.length === 1 || isConnectionError(error)) return records.map(() => ({ error }));
      return Promise.all(records.map(async (record) => (await settleBatch([record]))[0]!));
    }
  }
  // The settlements that end while one is being written go in the next statement together.
  const settlements = createStatementBatcher(settleBatch, { maxBatch: SETTLE_BATCH_MAX });

  async function settleCall(input: SettleInput) {
    const pricing = deps.pricingOf(input.model);
    const inputTokens = Math.max(0, Math.round(input.inputTokens));
    const outputTokens = Math.max(0, Math.round(input.outputTokens));
    const settled = await settlements.submit({
      requestId: input.requestId,
      userId: input.userId,
      // A call is charged to the month it started in, whose budget it reserved (the reservation's).
      month: monthOf(now()),
      conversationId: input.conversationId ?? null,
      messageId: input.messageId ?? null,
      keyId: input.keyId ?? null,
      teamId: input.teamId ?? null,
      provider: input.provider ?? pricing?.provider,
      model: input.model,
      inputTokens,
      outputTokens,
      costNanoUsd: pricing ? costNanoUsd(pricing, inputTokens, outputTokens) : 0n,
      source: input.source,
      outcome: input.outcome,
      createdAt: now(),
    });
    if (settled.reservedTokens !== undefined && inputTokens + outputTokens > settled.reservedTokens) deps.metrics?.overrun(input.model);
    return { recorded: settled.recorded };
  }

  /**
   * Settles one abandoned reservation: recorded once as failed, with its prompt and the reply text
   * it had checkpointed (both estimated with the tokenizer); false if its own process settled it
   * meanwhile. The reply is marked failed after the record, so a reaper that dies in between leaves
   * it to the next (the reservation is gone by then: the reply stays 'streaming', its text kept).
   */
  async function reapOne(r: Awaited<ReturnType<typeof findExpiredReservations>>[number]) {
    const pricing = deps.pricingOf(r.model);
    const promptTokens = Number(r.prompt_tokens);
    const partial = r.message_id && deps.streamingReplies ? await deps.streamingReplies.textOf(r.message_id) : '';
    // Never above the output cap the call was given (its reservation less the prompt's share): the
    // model was held to it, so a higher count is our tokenizer's error (see resultOf in model-call.ts).
    const outputCap = Math.max(0, Number(r.tokens) - promptReservation(promptTokens, r.provider));
    const outputTokens = Math.min(countTextTokens(partial), outputCap);
    const [settled] = await settleUsage(db, [
      {
        requestId: r.request_id,
        userId: r.user_id,
        month: r.month,
        conversationId: r.conversation_id,
        messageId: r.message_id,
        keyId: r.key_id,
        teamId: r.team_id,
        provider: r.provider,
        model: r.model,
        inputTokens: promptTokens,
        outputTokens,
        costNanoUsd: pricing ? costNanoUsd(pricing, promptTokens, outputTokens) : 0n,
        source: 'estimate',
        outcome: 'failed',
        createdAt: now(),
      },
    ]);
    const recorded = settled!.recorded;
    if (recorded && r.message_id) await deps.streamingReplies?.markFailed(r.message_id);
    return recorded;
  }

  return {
    limitsFor,

    async reserve(input: ReserveInput): Promise<{ maxOutputTokens: number; reservedTokens: number; month: string; quota: QuotaState }> {
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
      const result = await settleCall(input);
      if (result.recorded) deps.metrics?.recorded(input.model, input.outcome, input.source, input.inputTokens + input.outputTokens);
      return result;
    },

    /** Gives a reservation back without a record: for calls refused before any upstream request. */
    async release({ requestId }: { requestId: string }): Promise<void> {
      await retryOnDeadlock(() => deleteReservation(db, { requestId }));
    },

    /** The month's used and reserved tokens of each given API key (0 for a key without use). */
    async keysMonth(keyIds: string[]): Promise<Map<string, { used: number; reserved: number }>> {
      const rows = await findMonthlyUsageOfKeys(db, { keyIds, month: monthOf(now()) });
      return new Map(rows.map((r) => [r.key_id, { used: Number(r.total_tokens), reserved: Number(r.reserved_tokens) }]));
    },

    /** Keeps a deleting account's usage, detached from it, in the deletion's transaction. */
    detachUser: (userId: string, { tx }: { tx: Queryable }) => detachUsageOfUser(tx, { userId }),

    /**
     * Settles reservations left by a crashed process: recorded once as failed, with its prompt and
     * the reply text it had checkpointed (both estimated with the tokenizer).
     */
    async reapExpired(): Promise<number> {
      const expired = await findExpiredReservations(db, { now: now(), limit: 500 });
      let reaped = 0;
      for (const r of expired) if (await reapOne(r)) reaped += 1;
      return reaped;
    },
  };
}

export type UsageService = ReturnType<typeof createUsageService>;
