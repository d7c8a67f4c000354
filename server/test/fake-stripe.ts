// A local Stripe for tests: a real HTTP server that the `stripe` package is pointed at
// (STRIPE_API_URL), answering the calls the server makes (create a customer, a Checkout session, a
// portal session; retrieve a subscription) with Stripe's own object shapes (API 2025+: the billing
// period lives on the subscription's items; an invoice names its subscription under
// parent.subscription_details). Tests hold the subscriptions' state here, build events, sign them
// with the package's own test-header helper and post them to the server under test. A hosted
// checkout page (GET /checkout/:id, a Pay button) completes a session the way Stripe does: the
// subscription is made, its events are delivered, and the browser goes to the success URL.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export const FAKE_STRIPE_WEBHOOK_SECRET = 'whsec_test_fake_stripe_signing_secret';
export const FAKE_STRIPE_SECRET_KEY = 'sk_test_fake_stripe_key';

const stripe = new Stripe(FAKE_STRIPE_SECRET_KEY);
const id = (prefix: string) => `${prefix}_test_${randomBytes(8).toString('hex')}`;
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

export interface SubscriptionInput {
  id?: string;
  customer: string;
  price: string;
  status?: Stripe.Subscription.Status;
  periodStart?: Date;
  periodEnd: Date;
  cancelAtPeriodEnd?: boolean;
}

export interface RecordedStripeRequest {
  method: string;
  path: string;
  params: URLSearchParams;
}

export interface FakeStripe {
  /** For STRIPE_API_URL. */
  url: string;
  requests: RecordedStripeRequest[];
  /** Sets a subscription as Stripe holds it now (new or changed); answers the object. */
  putSubscription(input: SubscriptionInput): Stripe.Subscription;
  subscription(id: string): Stripe.Subscription;
  /** An event as Stripe sends it, around a copy of `object` taken now. */
  event<T extends Stripe.Event['type']>(type: T, object: object): Stripe.Event;
  invoice(subscription: Stripe.Subscription, status: 'paid' | 'open'): Stripe.Invoice;
  checkoutSession(subscription: Stripe.Subscription): Stripe.Checkout.Session;
  /** Posts the event, signed (or with the given signature header, or none), to `webhookUrl`. */
  deliver(event: Stripe.Event, options?: { signature?: string | null; body?: string }): Promise<Response>;
  /** Where events go: set once the server under test listens. */
  webhookUrl: string | undefined;
  close(): Promise<void>;
}

export function signatureOf(payload: string, secret = FAKE_STRIPE_WEBHOOK_SECRET): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret });
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const customers = new Map<string, Stripe.Customer>();
  const sessions = new Map<string, Stripe.Checkout.Session>();
  const subscriptions = new Map<string, Stripe.Subscription>();
  const requests: RecordedStripeRequest[] = [];
  let base = '';

  function putSubscription(input: SubscriptionInput): Stripe.Subscription {
    const subId = input.id ?? id('sub');
    const start = seconds(input.periodStart ?? new Date(input.periodEnd.getTime() - 30 * 86_400_000));
    const end = seconds(input.periodEnd);
    const existing = subscriptions.get(subId);
    const sub = {
      id: subId,
      object: 'subscription',
      application: null,
      application_fee_percent: null,
      billing_cycle_anchor: existing?.billing_cycle_anchor ?? start,
      cancel_at: input.cancelAtPeriodEnd ? end : null,
      cancel_at_period_end: input.cancelAtPeriodEnd ?? false,
      canceled_at: input.status === 'canceled' || input.cancelAtPeriodEnd ? seconds(new Date()) : null,
      collection_method: 'charge_automatically',
      created: existing?.created ?? start,
      currency: 'usd',
      customer: input.customer,
      days_until_due: null,
      default_payment_method: null,
      description: null,
      discounts: [],
      ended_at: input.status === 'canceled' ? seconds(new Date()) : null,
      items: {
        object: 'list',
        data: [
          {
            id: existing?.items.data[0]?.id ?? id('si'),
            object: 'subscription_item',
            billing_thresholds: null,
            created: start,
            current_period_end: end,
            current_period_start: start,
            current_trial: null,
            discounts: [],
            metadata: {},
            plan: planObject(input.price),
            price: priceObject(input.price),
            quantity: 1,
            subscription: subId,
            tax_rates: [],
          },
        ],
        has_more: false,
        url: `/v1/subscription_items?subscription=${subId}`,
      },
      latest_invoice: null,
      livemode: false,
      metadata: {},
      start_date: existing?.start_date ?? start,
      status: input.status ?? 'active',
      trial_end: null,
      trial_start: null,
    } satisfies Partial<Stripe.Subscription> as unknown as Stripe.Subscription;
    subscriptions.set(subId, sub);
    return sub;
  }

  function event(type: Stripe.Event['type'], object: object): Stripe.Event {
    return {
      id: id('evt'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: seconds(new Date()),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    } as Stripe.Event;
  }

  function invoice(sub: Stripe.Subscription, status: 'paid' | 'open'): Stripe.Invoice {
    const item = sub.items.data[0]!;
    return {
      id: id('in'),
      object: 'invoice',
      amount_due: item.price.unit_amount ?? 0,
      amount_paid: status === 'paid' ? (item.price.unit_amount ?? 0) : 0,
      amount_remaining: status === 'paid' ? 0 : (item.price.unit_amount ?? 0),
      attempt_count: 1,
      attempted: true,
      billing_reason: 'subscription_cycle',
      collection_method: 'charge_automatically',
      created: seconds(new Date()),
      currency: 'usd',
      customer: typeof sub.customer === 'string' ? sub.customer : sub.customer.id,
      livemode: false,
      metadata: {},
      parent: {
        quote_details: null,
        subscription_details: { metadata: {}, subscription: sub.id },
        type: 'subscription_details',
      },
      period_end: item.current_period_end,
      period_start: item.current_period_start,
      status,
      total: item.price.unit_amount ?? 0,
    } satisfies Partial<Stripe.Invoice> as unknown as Stripe.Invoice;
  }

  function checkoutSession(sub: Stripe.Subscription): Stripe.Checkout.Session {
    const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
    const found = [...sessions.values()].find((s) => s.customer === customer);
    return { ...(found ?? newSession(new URLSearchParams({ customer }))), status: 'complete', payment_status: 'paid', subscription: sub.id };
  }

  function newSession(params: URLSearchParams): Stripe.Checkout.Session {
    const sessionId = id('cs');
    return {
      id: sessionId,
      object: 'checkout.session',
      cancel_url: params.get('cancel_url'),
      client_reference_id: params.get('client_reference_id'),
      created: seconds(new Date()),
      currency: 'usd',
      customer: params.get('customer'),
      expires_at: seconds(new Date()) + 86_400,
      livemode: false,
      metadata: Object.fromEntries([...params].flatMap(([k, v]) => (k.startsWith('metadata[') ? [[k.slice(9, -1), v]] : []))),
      mode: 'subscription',
      payment_status: 'unpaid',
      status: 'open',
      subscription: null,
      success_url: params.get('success_url'),
      url: `${base}/checkout/${sessionId}`,
      // Not a Stripe field: the price the hosted page subscribes to (Stripe keeps it as line items).
      ...({ _price: params.get('line_items[0][price]') } as object),
    } satisfies Partial<Stripe.Checkout.Session> as unknown as Stripe.Checkout.Session;
  }

  async function deliver(ev: Stripe.Event, options: { signature?: string | null; body?: string } = {}): Promise<Response> {
    if (!fake.webhookUrl) throw new Error('fake Stripe: no webhookUrl to deliver to');
    const body = options.body ?? JSON.stringify(ev, null, 2);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    };
    const signature = options.signature === undefined ? signatureOf(JSON.stringify(ev, null, 2)) : options.signature;
    if (signature !== null) headers['stripe-signature'] = signature;
    return fetch(fake.webhookUrl, { method: 'POST', headers, body });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', base);
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const params = req.method === 'GET' ? url.searchParams : new URLSearchParams(raw);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') }).end(JSON.stringify(body));
    };
    const missing = (what: string, param: string) =>
      send(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}: '${param}'`, param: 'id' } });
    if (url.pathname.startsWith('/v1/')) requests.push({ method: req.method ?? 'GET', path: url.pathname, params });

    if (req.method === 'POST' && url.pathname === '/v1/customers') {
      const customer = {
        id: id('cus'),
        object: 'customer',
        balance: 0,
        created: seconds(new Date()),
        currency: null,
        delinquent: false,
        description: null,
        email: params.get('email'),
        invoice_prefix: randomBytes(4).toString('hex').toUpperCase(),
        livemode: false,
        metadata: Object.fromEntries([...params].flatMap(([k, v]) => (k.startsWith('metadata[') ? [[k.slice(9, -1), v]] : []))),
        name: null,
        phone: null,
        preferred_locales: [],
        shipping: null,
        tax_exempt: 'none',
      } satisfies Partial<Stripe.Customer> as unknown as Stripe.Customer;
      customers.set(customer.id, customer);
      return send(200, customer);
    }
    if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
      const customer = params.get('customer');
      if (!customer || !customers.has(customer)) return missing('customer', customer ?? '');
      const session = newSession(params);
      sessions.set(session.id, session);
      return send(200, session);
    }
    if (req.method === 'POST' && url.pathname === '/v1/billing_portal/sessions') {
      const customer = params.get('customer') ?? '';
      if (!customers.has(customer)) return missing('customer', customer);
      const portalId = id('bps');
      return send(200, {
        id: portalId,
        object: 'billing_portal.session',
        configuration: id('bpc'),
        created: seconds(new Date()),
        customer,
        flow: null,
        livemode: false,
        locale: null,
        on_behalf_of: null,
        return_url: params.get('return_url'),
        url: `${base}/portal/${portalId}?return_url=${encodeURIComponent(params.get('return_url') ?? '')}`,
      } satisfies Partial<Stripe.BillingPortal.Session>);
    }
    const subMatch = /^\/v1\/subscriptions\/([\w-]+)$/.exec(url.pathname);
    if (req.method === 'GET' && subMatch) {
      const sub = subscriptions.get(subMatch[1]!);
      return sub ? send(200, sub) : missing('subscription', subMatch[1]!);
    }

    // Stripe's hosted pages, as far as a browser test needs them.
    const page = /^\/checkout\/([\w-]+)(\/pay)?$/.exec(url.pathname);
    const session = page && sessions.get(page[1]!);
    if (session && req.method === 'GET' && !page[2]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(
        `<!doctype html><html lang="en"><title>Fake Stripe Checkout</title><main><h1>Fake Stripe Checkout</h1>` +
          `<form method="post" action="/checkout/${session.id}/pay"><button type="submit">Pay</button></form></main></html>`,
      );
    }
    if (session && req.method === 'POST' && page[2]) {
      const price = (session as unknown as { _price: string })._price;
      const sub = putSubscription({ customer: session.customer as string, price, periodEnd: new Date(Date.now() + 30 * 86_400_000) });
      const completed = { ...session, status: 'complete', payment_status: 'paid', subscription: sub.id } as Stripe.Checkout.Session;
      sessions.set(session.id, completed);
      // Stripe sends these in no particular order; the server must not care.
      for (const ev of [event('customer.subscription.created', sub), event('checkout.session.completed', completed)]) {
        const answer = await deliver(ev);
        if (!answer.ok) throw new Error(`fake Stripe: the webhook answered ${answer.status}: ${await answer.text()}`);
      }
      res.writeHead(303, { location: session.success_url ?? '/' });
      return res.end();
    }
    if (url.pathname.startsWith('/portal/')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(`<!doctype html><html lang="en"><title>Fake Stripe portal</title><a href="${url.searchParams.get('return_url')}">Return</a></html>`);
    }
    send(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname}).` } });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeStripe = {
    url: base,
    requests,
    putSubscription,
    subscription: (subId) => subscriptions.get(subId)!,
    event,
    invoice,
    checkoutSession,
    deliver,
    webhookUrl: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

// Decimal amounts are strings on the wire (the client turns them into its Decimal type).
const wireDecimal = (value: string) => value as unknown as Stripe.Decimal;

/** The legacy twin of a price that Stripe still puts on every subscription item. */
function planObject(priceId: string): Stripe.Plan {
  return {
    id: priceId,
    object: 'plan',
    active: true,
    amount: 1000,
    amount_decimal: wireDecimal('1000'),
    billing_scheme: 'per_unit',
    created: 1_700_000_000,
    currency: 'usd',
    interval: 'month',
    interval_count: 1,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: null,
    product: `prod_${priceId}`,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

function priceObject(priceId: string): Stripe.Price {
  return {
    id: priceId,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: 1_700_000_000,
    currency: 'usd',
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: `prod_${priceId}`,
    recurring: { interval: 'month', interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' },
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    unit_amount: 1000,
    unit_amount_decimal: wireDecimal('1000'),
  };
}
