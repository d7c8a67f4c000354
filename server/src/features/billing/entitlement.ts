// What a user's subscriptions entitle them to at a given moment: plain data and pure functions, so
// the rules read in one place (README "Billing"):
// - an upgrade counts at once; a downgrade keeps the higher tier, already paid for, until the end
//   of that period;
// - a cancellation (at the period's end, or at once) keeps the tier until the period paid for ends;
// - a failed payment keeps the tier for the grace period, counted from when it was first seen.
import { TIER_NAMES, type TierName } from '../../lib/tiers/tiers.js';
import type { TierChangeCause } from '../admin/admin.schemas.js';
import type { SubscriptionRow } from './billing.repository.js';

/** Statuses in which a subscription has been paid for (or is being dunned, or ran until its end). */
const PAID_STATUSES = new Set(['active', 'trialing', 'past_due', 'unpaid', 'canceled']);

export type EntitlementReason = 'paid' | 'kept_after_downgrade' | 'cancelled' | 'payment_failed' | 'unpaid_start';

export interface Entitlement {
  tier: TierName;
  reason: EntitlementReason;
  /** When this changes next without any event from Stripe; null for not by itself. */
  changesAt: Date | null;
}

export const tierRank = (tier: TierName) => TIER_NAMES.indexOf(tier);
const earliest = (dates: Array<Date | null>) => dates.filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;

export function entitlementOf(sub: SubscriptionRow, now: Date, graceMs: number): Entitlement {
  if (!PAID_STATUSES.has(sub.status)) return { tier: 'free', reason: 'unpaid_start', changesAt: null };
  const ends: Array<{ at: Date; reason: EntitlementReason }> = [];
  if (sub.status === 'canceled' || sub.cancel_at_period_end) ends.push({ at: sub.current_period_end, reason: 'cancelled' });
  if (sub.past_due_since) ends.push({ at: new Date(sub.past_due_since.getTime() + graceMs), reason: 'payment_failed' });
  ends.sort((a, b) => a.at.getTime() - b.at.getTime());
  const end = ends[0];
  if (end && end.at <= now) return { tier: 'free', reason: end.reason, changesAt: null };
  if (sub.kept_tier && sub.kept_until && sub.kept_until > now && tierRank(sub.kept_tier) > tierRank(sub.tier)) {
    return { tier: sub.kept_tier, reason: 'kept_after_downgrade', changesAt: earliest([sub.kept_until, end?.at ?? null]) };
  }
  return { tier: sub.tier, reason: 'paid', changesAt: end?.at ?? null };
}

/** The highest tier any of the user's subscriptions gives (free with none), and when that may change. */
export function userEntitlement(subs: SubscriptionRow[], now: Date, graceMs: number): Entitlement & { of: SubscriptionRow | undefined } {
  let best: Entitlement & { of: SubscriptionRow | undefined } = { tier: 'free', reason: 'unpaid_start', changesAt: null, of: undefined };
  const changes: Array<Date | null> = [];
  for (const sub of subs) {
    const e = entitlementOf(sub, now, graceMs);
    changes.push(e.changesAt);
    if (tierRank(e.tier) > tierRank(best.tier) || (best.of === undefined && e.tier === best.tier)) best = { ...e, of: sub };
  }
  return { ...best, changesAt: earliest(changes) };
}

/**
 * Why the entitlement moved from `from` to `to`, for the audit log. Up: a checkout (a new
 * subscription), a renewal (paid again after a failed payment) or an upgrade of a running one.
 * Down: a failed payment past its grace, a cancellation taking effect, or the period ending at the
 * lower price after a downgrade (a renewal).
 */
export function causeOf(
  from: TierName,
  to: Entitlement & { of: SubscriptionRow | undefined },
  context: { newSubscription: boolean; recoveredPayment: boolean; subs: SubscriptionRow[]; now: Date; graceMs: number },
): TierChangeCause {
  if (tierRank(to.tier) > tierRank(from)) {
    if (context.recoveredPayment) return 'renewal';
    return context.newSubscription ? 'checkout' : 'plan_change';
  }
  const reasons = context.subs.map((s) => entitlementOf(s, context.now, context.graceMs).reason);
  if (reasons.includes('payment_failed')) return 'payment_failure';
  if (reasons.includes('cancelled') || reasons.includes('unpaid_start')) return 'cancellation';
  return 'renewal';
}
