// Billing: a user buys a tier through Stripe Checkout, manages it in Stripe's customer portal, and
// the tier follows the subscription (README "Billing", docs/decisions/013). Stripe's events are
// verified on the raw body, processed once (the event id commits with its effect) and in any
// order: each one only says "look again", and the subscription is re-read from Stripe, a read
// older than the one stored never replacing it. The tier moves through admin's changeTier (users
// own it; the audit log records the cause) only when what the payments entitle changes.
import type { FastifyBaseLogger } from 'fastify';
import Stripe from 'stripe';
import { AppError } from '../../lib/errors.js';
import type { Db, Queryable } from '../../platform/db/db.js';
import type { AdminService } from '../admin/admin.service.js';
import type { UserRow } from '../users/users.service.js';
import {
  findCustomerByStripeId,
  findCustomerByUser,
  findSubscription,
  insertCustomer,
  insertProcessedEvent,
  isEventProcessed,
  listDueCustomers,
  listSubscriptionsOfUser,
  updateEntitlement,
  upsertSubscription,
  type SubscriptionRow,
} from './billing.repository.js';
import { PAID_TIERS, type BillingResponse, type PaidTier } from './billing.schemas.js';
import { causeOf, entitlementOf, tierRank, userEntitlement } from './entitlement.js';

export interface BillingServiceDeps {
  db: Db;
  stripe: Stripe;
  webhookSecret: string;
  /** Stripe price id of each tier on sale. */
  prices: Partial<Record<PaidTier, string>>;
  /** Where Stripe sends the browser back to (the web app's address). */
  publicUrl: string;
  /** How long a tier lasts after a payment first failed. */
  graceMs: number;
  admin: Pick<AdminService, 'changeTier'>;
  now: () => Date;
  log: FastifyBaseLogger;
}

/** What the webhook did with an event (stored with its id, and answered to Stripe). */
export type EventOutcome = 'applied' | 'duplicate' | 'not handled' | 'unknown customer' | 'unknown price' | 'unknown subscription';

const LIVE_STATUSES = new Set(['active', 'trialing', 'past_due', 'unpaid']);
const FAILING_STATUSES = new Set(['past_due', 'unpaid']);
const idOf = (v: string | { id: string } | null | undefined) => (typeof v === 'string' ? v : (v?.id ?? null));
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function createBillingService(deps: BillingServiceDeps) {
  const { db, stripe, now, log } = deps;
  const tierOfPrice = new Map(PAID_TIERS.flatMap((t) => (deps.prices[t] ? [[deps.prices[t], t] as const] : [])));

  /** A Stripe call; an outage or refusal is a 502 to our caller (and, for a webhook, a retry by Stripe). */
  async function callStripe<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      log.error({ err, what }, 'a Stripe call failed');
      throw new AppError('BILLING_PROVIDER_UNAVAILABLE');
    }
  }

  async function customerOf(user: Pick<UserRow, 'id' | 'email'>) {
    const stored = await findCustomerByUser(db, { userId: user.id });
    if (stored) return stored;
    // The idempotency key makes two concurrent first checkouts share one Stripe customer.
    const created = await callStripe('customers.create', () =>
      stripe.customers.create({ email: user.email, metadata: { user_id: user.id } }, { idempotencyKey: `customer-${user.id}` }),
    );
    return insertCustomer(db, { userId: user.id, stripeCustomerId: created.id });
  }

  /** The subscription to show: the newest live one, else the newest. */
  const currentOf = (subs: SubscriptionRow[]) => subs.find((s) => LIVE_STATUSES.has(s.status)) ?? subs[0];

  /** The tier's item of a subscription: the highest tier among its prices that we sell. */
  function paidItemOf(sub: Stripe.Subscription) {
    const items = sub.items.data.flatMap((item) => {
      const tier = tierOfPrice.get(item.price.id);
      return tier ? [{ priceId: item.price.id, tier, periodEnd: new Date(item.current_period_end * 1000) }] : [];
    });
    return items.sort((a, b) => tierRank(b.tier) - tierRank(a.tier))[0];
  }

  /** The row to store for a subscription read from Stripe at `syncedAt`, given what was stored before. */
  function nextRow(
    stored: SubscriptionRow | undefined,
    sub: Stripe.Subscription,
    item: NonNullable<ReturnType<typeof paidItemOf>>,
    userId: string,
    syncedAt: Date,
  ) {
    // A downgrade keeps the higher tier already paid for until the end of the period it paid.
    const keptBefore =
      stored?.kept_tier && stored.kept_until && stored.kept_until > syncedAt
        ? { tier: stored.kept_tier, until: stored.kept_until }
        : stored && { tier: stored.tier, until: stored.current_period_end };
    const kept = keptBefore && tierRank(keptBefore.tier) > tierRank(item.tier) && keptBefore.until > syncedAt ? keptBefore : null;
    const pastDueSince = FAILING_STATUSES.has(sub.status)
      ? (stored?.past_due_since ?? syncedAt)
      : sub.status === 'active' || sub.status === 'trialing'
        ? null
        : (stored?.past_due_since ?? null);
    return {
      id: sub.id,
      user_id: userId,
      price_id: item.priceId,
      tier: item.tier,
      status: sub.status,
      current_period_end: item.periodEnd,
      cancel_at_period_end: sub.cancel_at_period_end,
      kept_tier: kept?.tier ?? null,
      kept_until: kept?.until ?? null,
      past_due_since: pastDueSince,
      synced_at: syncedAt,
    } satisfies SubscriptionRow;
  }

  /** Recomputes the user's entitlement and, when it changed, moves their tier; in the caller's transaction. */
  async function reconcile(tx: Queryable, userId: string, context: { newSubscription: boolean; recoveredPayment: boolean }) {
    const customer = (await findCustomerByUser(tx, { userId, forUpdate: true }))!;
    const subs = await listSubscriptionsOfUser(tx, { userId });
    const at = now();
    const entitled = userEntitlement(subs, at, deps.graceMs);
    if (entitled.tier !== customer.entitled_tier) {
      const cause = causeOf(customer.entitled_tier, entitled, { ...context, subs, now: at, graceMs: deps.graceMs });
      await deps.admin.changeTier(userId, entitled.tier, cause, { tx });
    }
    await updateEntitlement(tx, { userId, tier: entitled.tier, nextChangeAt: entitled.changesAt });
  }

  /** The customer and subscription an event is about; undefined for an event billing does not act on. */
  function targetOf(event: Stripe.Event): { customerId: string; subscriptionId: string } | undefined {
    const pair = (customer: string | null, subscription: string | null) =>
      customer && subscription ? { customerId: customer, subscriptionId: subscription } : undefined;
    switch (event.type) {
      case 'checkout.session.completed':
        return event.data.object.mode === 'subscription' ? pair(idOf(event.data.object.customer), idOf(event.data.object.subscription)) : undefined;
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
        return pair(idOf(event.data.object.customer), event.data.object.id);
      case 'invoice.paid':
      case 'invoice.payment_failed':
        return pair(idOf(event.data.object.customer), idOf(event.data.object.parent?.subscription_details?.subscription));
      default:
        return undefined;
    }
  }

  /** Records an event that changes nothing; a redelivery of it is a duplicate like any other. */
  async function ignore(event: Stripe.Event, outcome: EventOutcome): Promise<EventOutcome> {
    if (outcome !== 'not handled') log.warn({ event: event.id, type: event.type, outcome }, 'a Stripe event was ignored');
    return (await insertProcessedEvent(db, { id: event.id, type: event.type, outcome })) ? outcome : 'duplicate';
  }

  async function processEvent(event: Stripe.Event): Promise<EventOutcome> {
    if (await isEventProcessed(db, { id: event.id })) return 'duplicate';
    const target = targetOf(event);
    if (!target) return ignore(event, 'not handled');
    const customer = await findCustomerByStripeId(db, { stripeCustomerId: target.customerId });
    if (!customer) return ignore(event, 'unknown customer');
    // The event's own copy may be older than what is stored: the subscription as Stripe has it now decides.
    let sub: Stripe.Subscription;
    try {
      sub = await stripe.subscriptions.retrieve(target.subscriptionId);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) return ignore(event, 'unknown subscription');
      log.error({ err, event: event.id }, 'reading a subscription from Stripe failed');
      throw new AppError('BILLING_PROVIDER_UNAVAILABLE');
    }
    const syncedAt = now();
    if (idOf(sub.customer) !== target.customerId) return ignore(event, 'unknown customer');
    const item = paidItemOf(sub);
    if (!item) return ignore(event, 'unknown price');
    return db.transaction(async (tx) => {
      // First, so that a concurrent delivery of the same event waits here and then does nothing.
      if (!(await insertProcessedEvent(tx, { id: event.id, type: event.type, outcome: 'applied' }))) return 'duplicate';
      await findCustomerByUser(tx, { userId: customer.user_id, forUpdate: true });
      const stored = await findSubscription(tx, { id: sub.id });
      const next = nextRow(stored, sub, item, customer.user_id, syncedAt);
      await upsertSubscription(tx, next);
      await reconcile(tx, customer.user_id, { newSubscription: !stored, recoveredPayment: Boolean(stored?.past_due_since) && !next.past_due_since });
      return 'applied';
    });
  }

  return {
    purchasable: PAID_TIERS.filter((t) => deps.prices[t]),

    /** Verifies Stripe's signature over the body exactly as received, then processes the event. */
    async handleWebhook(rawBody: Buffer, signature: string | undefined): Promise<EventOutcome> {
      if (!signature) throw new AppError('WEBHOOK_SIGNATURE_INVALID', 'The Stripe-Signature header is missing.');
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signature, deps.webhookSecret);
      } catch {
        throw new AppError('WEBHOOK_SIGNATURE_INVALID');
      }
      return processEvent(event);
    },

    async startCheckout(user: Pick<UserRow, 'id' | 'email'>, tier: PaidTier): Promise<{ url: string }> {
      const price = deps.prices[tier];
      if (!price) throw new AppError('PLAN_NOT_PURCHASABLE', `The ${tier} tier is not on sale here.`);
      const subs = await listSubscriptionsOfUser(db, { userId: user.id });
      if (subs.some((s) => LIVE_STATUSES.has(s.status))) throw new AppError('ALREADY_SUBSCRIBED');
      const customer = await customerOf(user);
      const session = await callStripe('checkout.sessions.create', () =>
        stripe.checkout.sessions.create({
          mode: 'subscription',
          customer: customer.stripe_customer_id,
          client_reference_id: user.id,
          line_items: [{ price, quantity: 1 }],
          success_url: `${deps.publicUrl}/plans?checkout=success`,
          cancel_url: `${deps.publicUrl}/plans?checkout=cancelled`,
          metadata: { user_id: user.id, tier },
        }),
      );
      if (!session.url) throw new AppError('BILLING_PROVIDER_UNAVAILABLE');
      return { url: session.url };
    },

    async openPortal(user: Pick<UserRow, 'id'>): Promise<{ url: string }> {
      const customer = await findCustomerByUser(db, { userId: user.id });
      if (!customer) throw new AppError('NO_BILLING_ACCOUNT');
      const session = await callStripe('billingPortal.sessions.create', () =>
        stripe.billingPortal.sessions.create({ customer: customer.stripe_customer_id, return_url: `${deps.publicUrl}/plans` }),
      );
      return { url: session.url };
    },

    async statusOf(user: Pick<UserRow, 'id'>): Promise<BillingResponse['subscription']> {
      const sub = currentOf(await listSubscriptionsOfUser(db, { userId: user.id }));
      if (!sub) return null;
      const e = entitlementOf(sub, now(), deps.graceMs);
      const state =
        !LIVE_STATUSES.has(sub.status) && sub.status !== 'canceled'
          ? 'incomplete'
          : sub.status === 'canceled' || e.reason === 'cancelled'
            ? 'cancelled'
            : sub.past_due_since
              ? 'past_due'
              : sub.cancel_at_period_end
                ? 'cancelling'
                : 'active';
      return {
        plan: sub.tier,
        entitled_tier: e.tier,
        state,
        current_period_end: iso(sub.current_period_end)!,
        grace_ends_at: sub.past_due_since ? iso(new Date(new Date(sub.past_due_since).getTime() + deps.graceMs)) : null,
        kept_until: e.reason === 'kept_after_downgrade' ? iso(sub.kept_until) : null,
      };
    },

    /**
     * The changes due by the clock alone: downgrades and cancellations at the period's end, grace
     * periods run out. Every process runs it; the row lock makes a second pass over a user a no-op.
     */
    async applyDueChanges(): Promise<number> {
      const due = await listDueCustomers(db, { now: now(), limit: 200 });
      for (const userId of due) await db.transaction((tx) => reconcile(tx, userId, { newSubscription: false, recoveredPayment: false }));
      return due.length;
    },
  };
}

export type BillingService = ReturnType<typeof createBillingService>;
