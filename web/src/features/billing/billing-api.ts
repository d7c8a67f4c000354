// REST state for plans: what can be bought and the user's subscription, and the two ways out to
// Stripe (Checkout for a first plan, the customer portal for everything after).
import { useMutation, useQuery } from '@tanstack/react-query';
import { useApi } from '../../lib/app-context';
import { queryKeys } from '../../lib/query-keys';
import type { Billing, CheckoutRequest, Redirect } from '../../lib/types';

/** While `waitingForStripe`, asks again every 2 s: the webhook that moves the plan may still be on its way. */
export function useBilling({ waitingForStripe = false } = {}) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.billing,
    queryFn: ({ signal }) => api<Billing>('/api/billing', { signal }),
    staleTime: 5_000,
    refetchInterval: (query) => (waitingForStripe && !query.state.data?.subscription ? 2_000 : false),
  });
}

/** Starts a Stripe Checkout for the tier and sends the browser there. */
export function useStartCheckout() {
  const api = useApi();
  return useMutation({
    mutationFn: (tier: CheckoutRequest['tier']) => api<Redirect>('/api/billing/checkout', { method: 'POST', body: { tier } satisfies CheckoutRequest }),
    onSuccess: ({ url }) => window.location.assign(url),
  });
}

/** Opens Stripe's customer portal (card, plan, cancellation). */
export function useOpenPortal() {
  const api = useApi();
  return useMutation({
    mutationFn: () => api<Redirect>('/api/billing/portal', { method: 'POST' }),
    onSuccess: ({ url }) => window.location.assign(url),
  });
}
