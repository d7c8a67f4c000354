// The user's plan as Stripe bills it: plan, renewal (or end) date and state. Shown on the plans,
// usage and settings pages; nothing when billing is off or the user never bought a plan.
import { capitalize, formatDate } from '../../lib/format';
import { Link } from '../../lib/router';
import type { Subscription } from '../../lib/types';
import { useBilling } from './billing-api';

const STATE_LABEL: Record<Subscription['state'], string> = {
  active: 'Active',
  past_due: 'Payment failed',
  cancelling: 'Cancelled at the end of the period',
  cancelled: 'Cancelled',
  incomplete: 'Waiting for the first payment',
};

export function SubscriptionFacts({ subscription }: { subscription: Subscription }) {
  const s = subscription;
  const endsLabel = s.state === 'cancelling' || s.state === 'cancelled' ? 'Ends on' : 'Renews on';
  return (
    <dl className="facts subscription-facts">
      <div>
        <dt>Plan</dt>
        <dd>{capitalize(s.plan)}</dd>
      </div>
      <div>
        <dt>State</dt>
        <dd>
          <span className={`badge state-${s.state}`}>{STATE_LABEL[s.state]}</span>
        </dd>
      </div>
      <div>
        <dt>{s.state === 'cancelled' ? 'Ended on' : endsLabel}</dt>
        <dd>{formatDate(s.current_period_end)}</dd>
      </div>
      {s.grace_ends_at ? (
        <div>
          <dt>Plan kept until</dt>
          <dd>{formatDate(s.grace_ends_at)} unless a payment goes through</dd>
        </div>
      ) : null}
      {s.kept_until ? (
        <div>
          <dt>{capitalize(s.entitled_tier)} until</dt>
          <dd>
            {formatDate(s.kept_until)}, then {capitalize(s.plan)}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

/** A card with the subscription, for pages other than Plans; nothing without one. */
export function SubscriptionCard() {
  const billing = useBilling();
  const subscription = billing.data?.subscription;
  if (!billing.data?.enabled || !subscription) return null;
  return (
    <section className="card" aria-labelledby="subscription-title">
      <h2 id="subscription-title">Subscription</h2>
      <SubscriptionFacts subscription={subscription} />
      <p>
        <Link to="/plans">Change or cancel your plan</Link>
      </p>
    </section>
  );
}
