-- Self-serve plans through Stripe (features/billing, README "Billing"). Billing owns these three
-- tables; the tier itself stays in users and moves only through the users service.
CREATE TABLE billing_customers (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  stripe_customer_id text NOT NULL UNIQUE,
  -- The tier the user's subscriptions entitle them to, as billing last applied it. Billing moves
  -- the user's tier only when this changes, so an admin's change stands until the payment's does.
  entitled_tier text NOT NULL DEFAULT 'free' CHECK (entitled_tier IN ('free', 'starter', 'builder', 'advanced')),
  -- When the entitlement changes next with no event to say so: a downgrade or a cancellation at the
  -- period's end, a grace period after a failed payment running out. The sweep looks here.
  next_change_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_customers_next_change_idx ON billing_customers (next_change_at) WHERE next_change_at IS NOT NULL;

CREATE TABLE billing_subscriptions (
  -- Stripe's id (sub_...).
  id text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES billing_customers (user_id) ON DELETE CASCADE,
  price_id text NOT NULL,
  tier text NOT NULL CHECK (tier IN ('starter', 'builder', 'advanced')),
  -- Stripe's status: active, trialing, past_due, unpaid, canceled, incomplete, incomplete_expired, paused.
  status text NOT NULL,
  current_period_end timestamptz NOT NULL,
  cancel_at_period_end boolean NOT NULL DEFAULT false,
  -- After a downgrade, the higher tier already paid for, kept until the end of that period.
  kept_tier text CHECK (kept_tier IN ('starter', 'builder', 'advanced')),
  kept_until timestamptz,
  -- First seen past due or unpaid; the tier lasts a grace period from here.
  past_due_since timestamptz,
  -- When this state was read from Stripe: a state read earlier never replaces one read later.
  synced_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_subscriptions_user_idx ON billing_subscriptions (user_id);

-- Every Stripe event processed, written in the transaction of its effect: a redelivery finds its
-- id here and changes nothing.
CREATE TABLE billing_events (
  id text PRIMARY KEY,
  type text NOT NULL,
  -- What it did: applied, or why it was ignored (unknown customer, unknown price, not handled).
  outcome text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);

-- Admin's audit log records every tier change with its cause, billing's as well as admins'.
ALTER TABLE admin_audit_log ADD COLUMN cause text CHECK (cause IN ('admin', 'checkout', 'plan_change', 'renewal', 'cancellation', 'payment_failure'));
