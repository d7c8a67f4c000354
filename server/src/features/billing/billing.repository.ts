// Billing's tables: Stripe customers of users, their subscriptions as last read from Stripe, and
// the events processed (migrations/005).
import type { TierName } from '../../lib/tiers/tiers.js';
import type { Queryable } from '../../platform/db/db.js';
import type { PaidTier } from './billing.schemas.js';

export interface CustomerRow {
  user_id: string;
  stripe_customer_id: string;
  entitled_tier: TierName;
  next_change_at: Date | null;
}

export interface SubscriptionRow {
  id: string;
  user_id: string;
  price_id: string;
  tier: PaidTier;
  status: string;
  current_period_end: Date;
  cancel_at_period_end: boolean;
  kept_tier: PaidTier | null;
  kept_until: Date | null;
  past_due_since: Date | null;
  synced_at: Date;
}

const CUSTOMER = 'user_id, stripe_customer_id, entitled_tier, next_change_at';
const SUBSCRIPTION = 'id, user_id, price_id, tier, status, current_period_end, cancel_at_period_end, kept_tier, kept_until, past_due_since, synced_at';

export async function findCustomerByUser(db: Queryable, { userId, forUpdate = false }: { userId: string; forUpdate?: boolean }) {
  const { rows } = await db.query<CustomerRow>(`SELECT ${CUSTOMER} FROM billing_customers WHERE user_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [userId]);
  return rows[0];
}

export async function findCustomerByStripeId(db: Queryable, { stripeCustomerId }: { stripeCustomerId: string }) {
  const { rows } = await db.query<CustomerRow>(`SELECT ${CUSTOMER} FROM billing_customers WHERE stripe_customer_id = $1`, [stripeCustomerId]);
  return rows[0];
}

/** The stored customer of the user: the one inserted, or the one a concurrent checkout stored first. */
export async function insertCustomer(db: Queryable, { userId, stripeCustomerId }: { userId: string; stripeCustomerId: string }): Promise<CustomerRow> {
  await db.query('INSERT INTO billing_customers (user_id, stripe_customer_id) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING', [userId, stripeCustomerId]);
  return (await findCustomerByUser(db, { userId }))!;
}

export async function updateEntitlement(db: Queryable, { userId, tier, nextChangeAt }: { userId: string; tier: TierName; nextChangeAt: Date | null }) {
  await db.query('UPDATE billing_customers SET entitled_tier = $2, next_change_at = $3 WHERE user_id = $1', [userId, tier, nextChangeAt]);
}

/** Users whose entitlement is due to change by itself (the sweep), oldest first. */
export async function listDueCustomers(db: Queryable, { now, limit }: { now: Date; limit: number }): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>('SELECT user_id FROM billing_customers WHERE next_change_at <= $1 ORDER BY next_change_at LIMIT $2', [
    now,
    limit,
  ]);
  return rows.map((r) => r.user_id);
}

export async function listSubscriptionsOfUser(db: Queryable, { userId }: { userId: string }): Promise<SubscriptionRow[]> {
  const { rows } = await db.query<SubscriptionRow>(`SELECT ${SUBSCRIPTION} FROM billing_subscriptions WHERE user_id = $1 ORDER BY synced_at DESC, id`, [
    userId,
  ]);
  return rows;
}

export async function findSubscription(db: Queryable, { id }: { id: string }): Promise<SubscriptionRow | undefined> {
  const { rows } = await db.query<SubscriptionRow>(`SELECT ${SUBSCRIPTION} FROM billing_subscriptions WHERE id = $1`, [id]);
  return rows[0];
}

/** Stores a subscription's state unless a state read from Stripe later is already stored. */
export async function upsertSubscription(db: Queryable, s: SubscriptionRow): Promise<void> {
  await db.query(
    `INSERT INTO billing_subscriptions (${SUBSCRIPTION}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (id) DO UPDATE SET
       price_id = EXCLUDED.price_id, tier = EXCLUDED.tier, status = EXCLUDED.status,
       current_period_end = EXCLUDED.current_period_end, cancel_at_period_end = EXCLUDED.cancel_at_period_end,
       kept_tier = EXCLUDED.kept_tier, kept_until = EXCLUDED.kept_until, past_due_since = EXCLUDED.past_due_since,
       synced_at = EXCLUDED.synced_at, updated_at = now()
     WHERE billing_subscriptions.synced_at <= EXCLUDED.synced_at`,
    [s.id, s.user_id, s.price_id, s.tier, s.status, s.current_period_end, s.cancel_at_period_end, s.kept_tier, s.kept_until, s.past_due_since, s.synced_at],
  );
}

/** False when the event was processed before (its id is stored): then nothing else may change. */
export async function insertProcessedEvent(db: Queryable, { id, type, outcome }: { id: string; type: string; outcome: string }): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO billing_events (id, type, outcome) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [id, type, outcome]);
  return rowCount === 1;
}

export async function isEventProcessed(db: Queryable, { id }: { id: string }): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM billing_events WHERE id = $1', [id]);
  return rows.length > 0;
}
