import { z } from 'zod';
import { TIER_NAMES, type TierName } from '../../lib/tiers/tiers.js';

/** The tiers that can be bought; free is what a user has without a subscription. */
export const PAID_TIERS = ['starter', 'builder', 'advanced'] as const satisfies readonly TierName[];
export type PaidTier = (typeof PAID_TIERS)[number];

export const checkoutBody = z.object({ tier: z.enum(PAID_TIERS) }).strict();
export type CheckoutBody = z.infer<typeof checkoutBody>;

/** Where to send the browser: Stripe's checkout page or its customer portal. */
export const redirectResponse = z.object({ url: z.url() });
export type RedirectResponse = z.infer<typeof redirectResponse>;

export const subscriptionState = z.enum(['active', 'past_due', 'cancelling', 'cancelled', 'incomplete']);

export const billingResponse = z.object({
  /** False when the operator set no STRIPE_SECRET_KEY: tiers are an admin's to set. */
  enabled: z.boolean(),
  /** The paid tiers this server sells (a price is configured for each). */
  purchasable: z.array(z.enum(PAID_TIERS)),
  subscription: z
    .object({
      /** The plan subscribed to (its price's tier). */
      plan: z.enum(PAID_TIERS),
      /** What the subscription gives right now (a downgrade keeps the higher tier until the period ends). */
      entitled_tier: z.enum(TIER_NAMES),
      state: subscriptionState,
      /** The renewal date; with state cancelling or cancelled, when the plan ends. */
      current_period_end: z.string(),
      /** After a failed payment: when the plan stops unless a payment goes through. */
      grace_ends_at: z.string().nullable(),
      /** After a downgrade: the higher tier kept until this date. */
      kept_until: z.string().nullable(),
    })
    .nullable(),
});
export type BillingResponse = z.infer<typeof billingResponse>;

export const webhookResponse = z.object({ received: z.literal(true), outcome: z.string() });
