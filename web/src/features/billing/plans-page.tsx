// Plans: the tiers and what each allows. With billing on, a user without a subscription buys one
// through Stripe Checkout; with one, Stripe's customer portal changes the card or the plan, or
// cancels. Stripe sends the browser back here with ?checkout=success (or cancelled).
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ErrorNote } from '../../components/error-note';
import { useApi, useSession, useSessionStore } from '../../lib/app-context';
import { capitalize } from '../../lib/format';
import { queryKeys } from '../../lib/query-keys';
import { useLocation } from '../../lib/router';
import type { TierName, User } from '../../lib/types';
import { TiersTable } from '../usage/tiers-table';
import { useBilling, useOpenPortal, useStartCheckout } from './billing-api';
import { SubscriptionFacts } from './subscription-facts';

const LIVE = new Set(['active', 'past_due', 'cancelling']);

export function PlansPage() {
  const { user } = useSession();
  const returned = useLocation().search.get('checkout');
  const billing = useBilling({ waitingForStripe: returned === 'success' });
  const checkout = useStartCheckout();
  const portal = useOpenPortal();
  useRefreshedUser(billing.data?.subscription?.entitled_tier);

  const b = billing.data;
  const subscribed = Boolean(b?.subscription && LIVE.has(b.subscription.state));
  const busy = checkout.isPending || portal.isPending;
  const action = (tier: TierName) => {
    if (!b?.enabled || subscribed || tier === 'free' || !b.purchasable.includes(tier)) return null;
    return (
      <button type="button" className="button primary small" disabled={busy} onClick={() => checkout.mutate(tier)}>
        Choose {capitalize(tier)}
      </button>
    );
  };

  return (
    <main className="page">
      <h1>Plans</h1>
      {returned === 'success' ? (
        <p className="notice success" role="status">
          {b?.subscription
            ? `Thank you: you are on ${capitalize(b.subscription.entitled_tier)}.`
            : 'Payment received. Your plan changes as soon as Stripe confirms it…'}
        </p>
      ) : null}
      {returned === 'cancelled' ? (
        <p className="notice" role="status">
          Checkout cancelled: nothing was charged.
        </p>
      ) : null}
      <ErrorNote error={checkout.error ?? portal.error} />

      {b?.subscription ? (
        <section className="card" aria-labelledby="your-plan-title">
          <h2 id="your-plan-title">Your subscription</h2>
          <SubscriptionFacts subscription={b.subscription} />
          <button type="button" className="button" disabled={busy} onClick={() => portal.mutate()}>
            Manage subscription
          </button>
        </section>
      ) : null}

      <section className="card" aria-labelledby="tiers-title">
        <h2 id="tiers-title">Tiers</h2>
        {b && !b.enabled ? <p className="muted">Plans are set by an administrator on this server.</p> : null}
        {subscribed ? <p className="muted">To switch plans or cancel, use Manage subscription.</p> : null}
        <TiersTable current={user?.tier} caption="What each tier allows" action={b?.enabled && !subscribed ? action : undefined} />
      </section>
    </main>
  );
}

/** Once Stripe's confirmation has moved the tier, the signed-in user (menus, settings) shows it too. */
function useRefreshedUser(entitledTier: TierName | undefined) {
  const api = useApi();
  const session = useSessionStore();
  const queryClient = useQueryClient();
  const { user } = useSession();
  useEffect(() => {
    if (!entitledTier || !user || user.tier === entitledTier) return;
    void api<User>('/api/auth/me').then((me) => {
      session.setUser(me);
      void queryClient.invalidateQueries({ queryKey: queryKeys.usage.all });
    });
  }, [entitledTier, user, api, session, queryClient]);
}
