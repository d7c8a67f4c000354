// Billing end to end over real HTTP: the server's Stripe calls go to a local fake Stripe, and every
// webhook event is signed with the stripe package's own test-header helper and posted to the
// listening server. A test clock moves past period ends and grace periods.
import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { FAKE_STRIPE_SECRET_KEY, FAKE_STRIPE_WEBHOOK_SECRET, signatureOf, startFakeStripe, type FakeStripe } from '../../../test/fake-stripe.js';
import { authHeader, buildTestApp, createUser, listen, testConfig, type TestApp, type TestUser } from '../../../test/test-app.js';
import type { PaidTier } from './billing.schemas.js';

const PRICES: Record<PaidTier, string> = { starter: 'price_starter_test', builder: 'price_builder_test', advanced: 'price_advanced_test' };
const DAY = 86_400_000;
const PUBLIC_URL = 'http://chat.example.test';

const billingEnv = (fake: FakeStripe) => ({
  STRIPE_SECRET_KEY: FAKE_STRIPE_SECRET_KEY,
  STRIPE_WEBHOOK_SECRET: FAKE_STRIPE_WEBHOOK_SECRET,
  STRIPE_PRICE_STARTER: PRICES.starter,
  STRIPE_PRICE_BUILDER: PRICES.builder,
  STRIPE_PRICE_ADVANCED: PRICES.advanced,
  STRIPE_API_URL: fake.url,
  PUBLIC_URL,
  BILLING_GRACE_PERIOD_HOURS: '72',
  // The clock moves by weeks here; sessions must outlive it.
  ACCESS_TOKEN_TTL_SECONDS: String(365 * 24 * 3600),
});

describe('billing settings', () => {
  it('needs the webhook secret and at least one price with the secret key, and names what is missing', () => {
    expect(() => testConfig({ STRIPE_SECRET_KEY: 'sk_test_x' })).toThrow(
      expect.objectContaining({
        problems: [
          'STRIPE_WEBHOOK_SECRET: required with STRIPE_SECRET_KEY (the whsec_... of the webhook endpoint)',
          'STRIPE_SECRET_KEY: set at least one of STRIPE_PRICE_STARTER, STRIPE_PRICE_BUILDER, STRIPE_PRICE_ADVANCED with it',
        ],
      }),
    );
    expect(() => testConfig({ STRIPE_API_URL: 'ftp://stripe' })).toThrow(/STRIPE_API_URL: must be an http\(s\) URL/);
    expect(testConfig().billing.secretKey).toBeUndefined();
  });
});

describe.each(testDbKinds())('billing with Stripe on %s', (kind) => {
  let t: TestApp;
  let fake: FakeStripe;
  let clock = new Date();
  const later = (ms: number) => new Date(clock.getTime() + ms);

  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await buildTestApp(kind, { env: billingEnv(fake), now: () => clock });
    fake.webhookUrl = `${await listen(t.app)}/api/billing/webhook`;
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const tierOf = async (user: TestUser) => (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: authHeader(user) })).json().tier as string;
  const billingOf = async (user: TestUser) => (await t.app.inject({ method: 'GET', url: '/api/billing', headers: authHeader(user) })).json();
  const tierChanges = async (user: TestUser) =>
    (
      await t.db.query<{ cause: string; before: { tier: string }; after: { tier: string; tier_updated_at: string } }>(
        'SELECT cause, before, after FROM admin_audit_log WHERE target_user_id = $1 AND cause IS NOT NULL ORDER BY created_at, id',
        [user.id],
      )
    ).rows.map((r) => ({ cause: r.cause, from: r.before.tier, to: r.after.tier, at: r.after.tier_updated_at }));
  const eventCount = async () => Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM billing_events')).rows[0]!.n);

  async function deliverOk(event: Stripe.Event, expected = 'applied') {
    const res = await fake.deliver(event);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await res.json()).outcome).toBe(expected);
  }

  /** The real flow up to Stripe: our checkout route makes the customer and the session. */
  async function checkout(user: TestUser, tier: PaidTier) {
    const res = await t.app.inject({ method: 'POST', url: '/api/billing/checkout', headers: authHeader(user), payload: { tier } });
    expect(res.statusCode, res.body).toBe(200);
    const created = fake.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!;
    return { url: res.json().url as string, customer: created.params.get('customer')!, params: created.params };
  }

  /** A user who bought `tier`: checkout, then Stripe's two events. */
  async function subscriber(tier: PaidTier, periodEnd = later(30 * DAY)) {
    const user = await createUser(t.app);
    const { customer } = await checkout(user, tier);
    const sub = fake.putSubscription({ customer, price: PRICES[tier], periodEnd });
    await deliverOk(fake.event('customer.subscription.created', sub));
    await deliverOk(fake.event('checkout.session.completed', fake.checkoutSession(sub)));
    return { user, customer, sub };
  }

  it('starts a Checkout: one Stripe customer per user, the price of the tier, and the way back to the plans page', async () => {
    const user = await createUser(t.app);
    const first = await checkout(user, 'builder');
    expect(first.url).toMatch(new RegExp(`^${fake.url}/checkout/cs_test_`));
    expect(first.params.get('mode')).toBe('subscription');
    expect(first.params.get('line_items[0][price]')).toBe(PRICES.builder);
    expect(first.params.get('client_reference_id')).toBe(user.id);
    expect(first.params.get('success_url')).toBe(`${PUBLIC_URL}/plans?checkout=success`);
    expect(first.params.get('cancel_url')).toBe(`${PUBLIC_URL}/plans?checkout=cancelled`);
    const again = await checkout(user, 'starter');
    expect(again.customer).toBe(first.customer);
    expect(fake.requests.filter((r) => r.path === '/v1/customers' && r.params.get('metadata[user_id]') === user.id)).toHaveLength(1);
    expect(await tierOf(user)).toBe('free'); // nothing changes before Stripe confirms

    const free = await t.app.inject({ method: 'POST', url: '/api/billing/checkout', headers: authHeader(user), payload: { tier: 'free' } });
    expect(free.statusCode).toBe(422);
    expect((await t.app.inject({ method: 'POST', url: '/api/billing/checkout', payload: { tier: 'builder' } })).statusCode).toBe(401);
  });

  it('puts the user on the tier once Stripe confirms, whichever event comes first, audited as a checkout', async () => {
    const user = await createUser(t.app);
    const { customer } = await checkout(user, 'builder');
    const sub = fake.putSubscription({ customer, price: PRICES.builder, periodEnd: later(30 * DAY) });
    await deliverOk(fake.event('checkout.session.completed', fake.checkoutSession(sub)));
    expect(await tierOf(user)).toBe('builder');
    await deliverOk(fake.event('customer.subscription.created', sub));
    const changes = await tierChanges(user);
    expect(changes).toMatchObject([{ cause: 'checkout', from: 'free', to: 'builder' }]);
    const me = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: authHeader(user) })).json();
    expect(me.tier_updated_at).toBe(changes[0]!.at);
    expect(await billingOf(user)).toEqual({
      enabled: true,
      purchasable: ['starter', 'builder', 'advanced'],
      subscription: {
        plan: 'builder',
        entitled_tier: 'builder',
        state: 'active',
        current_period_end: new Date(Math.floor(later(30 * DAY).getTime() / 1000) * 1000).toISOString(),
        grace_ends_at: null,
        kept_until: null,
      },
    });
    const again = await t.app.inject({ method: 'POST', url: '/api/billing/checkout', headers: authHeader(user), payload: { tier: 'advanced' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALREADY_SUBSCRIBED');
  });

  it('processes a redelivered event once', async () => {
    const { user, sub } = await subscriber('starter');
    fake.putSubscription({ id: sub.id, customer: sub.customer as string, price: PRICES.advanced, periodEnd: later(30 * DAY) });
    const upgrade = fake.event('customer.subscription.updated', fake.subscription(sub.id));
    const before = await eventCount();
    // Stripe may deliver again while the first delivery is still being processed.
    const answers = await Promise.all([fake.deliver(upgrade), fake.deliver(upgrade), fake.deliver(upgrade)]);
    const outcomes = await Promise.all(answers.map(async (res) => (await res.json()).outcome));
    expect(outcomes.sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    await deliverOk(upgrade, 'duplicate');
    expect(await eventCount()).toBe(before + 1);
    expect(await tierOf(user)).toBe('advanced');
    expect((await tierChanges(user)).map((c) => c.cause)).toEqual(['checkout', 'plan_change']);
  });

  it('never lets an event arriving late undo a later state: the subscription as Stripe has it now decides', async () => {
    const user = await createUser(t.app);
    const { customer } = await checkout(user, 'starter');
    const created = fake.event('customer.subscription.created', fake.putSubscription({ customer, price: PRICES.starter, periodEnd: later(30 * DAY) }));
    const subId = (created.data.object as Stripe.Subscription).id;
    const upgraded = fake.event(
      'customer.subscription.updated',
      fake.putSubscription({ id: subId, customer, price: PRICES.advanced, periodEnd: later(30 * DAY) }),
    );
    await deliverOk(upgraded);
    await deliverOk(created); // its payload still says starter
    expect(await tierOf(user)).toBe('advanced');
    expect(await tierChanges(user)).toMatchObject([{ cause: 'checkout', from: 'free', to: 'advanced' }]);

    // Two deliveries in flight: the one that read Stripe first (an older state) commits last.
    const readLater = clock;
    clock = new Date(readLater.getTime() - 1000);
    fake.putSubscription({ id: subId, customer, price: PRICES.starter, periodEnd: later(30 * DAY) });
    await deliverOk(fake.event('customer.subscription.updated', fake.subscription(subId)));
    clock = readLater;
    expect(await tierOf(user)).toBe('advanced');
    expect((await t.db.query('SELECT tier FROM billing_subscriptions WHERE id = $1', [subId])).rows[0]).toEqual({ tier: 'advanced' });
  });

  it('downgrades at the end of the period already paid for, not before', async () => {
    const { user, sub, customer } = await subscriber('advanced', later(10 * DAY));
    // Stripe moves the price at once (with proration) and keeps the billing period.
    fake.putSubscription({ id: sub.id, customer, price: PRICES.starter, periodEnd: later(10 * DAY) });
    await deliverOk(fake.event('customer.subscription.updated', fake.subscription(sub.id)));
    expect(await tierOf(user)).toBe('advanced');
    expect((await billingOf(user)).subscription).toMatchObject({ plan: 'starter', entitled_tier: 'advanced', state: 'active', kept_until: expect.any(String) });

    clock = later(9 * DAY);
    await t.services.billing!.applyDueChanges();
    expect(await tierOf(user)).toBe('advanced');
    clock = later(1 * DAY + 1000);
    await t.services.billing!.applyDueChanges();
    expect(await tierOf(user)).toBe('starter');
    expect((await tierChanges(user)).at(-1)).toMatchObject({ cause: 'renewal', from: 'advanced', to: 'starter' });
  });

  it('cancels at the period end: the tier stays until then, the state says so, and free follows', async () => {
    const { user, sub, customer } = await subscriber('builder', later(5 * DAY));
    fake.putSubscription({ id: sub.id, customer, price: PRICES.builder, periodEnd: later(5 * DAY), cancelAtPeriodEnd: true });
    await deliverOk(fake.event('customer.subscription.updated', fake.subscription(sub.id)));
    expect(await tierOf(user)).toBe('builder');
    expect((await billingOf(user)).subscription).toMatchObject({ state: 'cancelling', entitled_tier: 'builder' });

    clock = later(5 * DAY);
    fake.putSubscription({ id: sub.id, customer, price: PRICES.builder, periodEnd: clock, status: 'canceled' });
    await deliverOk(fake.event('customer.subscription.deleted', fake.subscription(sub.id)));
    expect(await tierOf(user)).toBe('free');
    expect((await tierChanges(user)).at(-1)).toMatchObject({ cause: 'cancellation', from: 'builder', to: 'free' });
    expect((await billingOf(user)).subscription).toMatchObject({ state: 'cancelled', entitled_tier: 'free' });
  });

  it('keeps the tier through the grace period after a failed payment, then drops it; a paid invoice brings it back', async () => {
    const { user, sub, customer } = await subscriber('builder', later(1 * DAY));
    clock = later(1 * DAY);
    const renewed = later(30 * DAY);
    fake.putSubscription({ id: sub.id, customer, price: PRICES.builder, periodStart: clock, periodEnd: renewed, status: 'past_due' });
    await deliverOk(fake.event('invoice.payment_failed', fake.invoice(fake.subscription(sub.id), 'open')));
    expect(await tierOf(user)).toBe('builder');
    expect((await billingOf(user)).subscription).toMatchObject({ state: 'past_due', grace_ends_at: later(72 * 3600_000).toISOString() });

    clock = later(71 * 3600_000);
    await t.services.billing!.applyDueChanges();
    expect(await tierOf(user)).toBe('builder');
    clock = later(2 * 3600_000);
    await t.services.billing!.applyDueChanges();
    expect(await tierOf(user)).toBe('free');

    fake.putSubscription({ id: sub.id, customer, price: PRICES.builder, periodEnd: renewed, status: 'active' });
    await deliverOk(fake.event('invoice.paid', fake.invoice(fake.subscription(sub.id), 'paid')));
    expect(await tierOf(user)).toBe('builder');
    expect((await tierChanges(user)).map((c) => c.cause)).toEqual(['checkout', 'payment_failure', 'renewal']);
  });

  it('refuses a missing, wrong or tampered signature with a 400 problem, and changes nothing', async () => {
    const { user, sub, customer } = await subscriber('starter');
    fake.putSubscription({ id: sub.id, customer, price: PRICES.advanced, periodEnd: later(30 * DAY) });
    const event = fake.event('customer.subscription.updated', fake.subscription(sub.id));
    const body = JSON.stringify(event, null, 2);
    const before = await eventCount();
    for (const options of [
      { signature: null },
      { signature: signatureOf(body, 'whsec_someone_else') },
      { signature: 't=1,v1=deadbeef' },
      { body: body.replace('"livemode": false', '"livemode": true') },
    ]) {
      const res = await fake.deliver(event, options);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await res.json()).code).toBe('WEBHOOK_SIGNATURE_INVALID');
    }
    expect(await eventCount()).toBe(before);
    expect(await tierOf(user)).toBe('starter');
    await deliverOk(event); // the genuine one still works
    expect(await tierOf(user)).toBe('advanced');
  });

  it('records and ignores an event with an unknown price, for an unknown customer or of a type it does not handle', async () => {
    const { user, sub, customer } = await subscriber('starter');
    fake.putSubscription({ id: sub.id, customer, price: 'price_not_ours', periodEnd: later(30 * DAY) });
    await deliverOk(fake.event('customer.subscription.updated', fake.subscription(sub.id)), 'unknown price');
    expect(await tierOf(user)).toBe('starter');

    const stranger = fake.putSubscription({ customer: 'cus_test_not_ours', price: PRICES.advanced, periodEnd: later(30 * DAY) });
    const before = (await t.db.query('SELECT id FROM billing_subscriptions')).rows.length;
    await deliverOk(fake.event('customer.subscription.created', stranger), 'unknown customer');
    await deliverOk(fake.event('invoice.paid', fake.invoice(stranger, 'paid')), 'unknown customer');
    await deliverOk(fake.event('customer.created', { id: 'cus_test_x', object: 'customer' }), 'not handled');
    expect((await t.db.query('SELECT id FROM billing_subscriptions')).rows.length).toBe(before);
    expect(await tierOf(user)).toBe('starter');
  });

  it("lets an admin change a paying user's tier; it stands until what the payment entitles changes", async () => {
    const admin = await createUser(t.app, { email: `admin-${randomUUID()}@example.com` });
    await t.db.query("UPDATE users SET role = 'admin' WHERE id = $1", [admin.id]);
    const { user, sub, customer } = await subscriber('starter');
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/admin/users/${user.id}`, headers: authHeader(admin), payload: { tier: 'advanced' } });
    expect(patch.statusCode).toBe(200);
    const audit = (await t.app.inject({ method: 'GET', url: '/api/admin/audit', headers: authHeader(admin) })).json().items[0];
    expect(audit).toMatchObject({ action: 'user.update', cause: 'admin', before: { tier: 'starter' }, after: { tier: 'advanced' } });

    // A renewal at the same price changes no entitlement: the admin's tier stands.
    fake.putSubscription({ id: sub.id, customer, price: PRICES.starter, periodEnd: later(60 * DAY) });
    await deliverOk(fake.event('invoice.paid', fake.invoice(fake.subscription(sub.id), 'paid')));
    expect(await tierOf(user)).toBe('advanced');
    // A plan change does: Stripe's word is the latest.
    fake.putSubscription({ id: sub.id, customer, price: PRICES.builder, periodEnd: later(60 * DAY) });
    await deliverOk(fake.event('customer.subscription.updated', fake.subscription(sub.id)));
    expect(await tierOf(user)).toBe('builder');
    expect((await tierChanges(user)).map((c) => c.cause)).toEqual(['checkout', 'admin', 'plan_change']);
  });

  it('applies a new tier to the rest of the month at once: a reservation in flight stands, the next one sees the new limit', async () => {
    const user = await createUser(t.app);
    const reserve = (maxOutputTokens: number) =>
      t.app.usage.reserve({ user: { id: user.id }, requestId: randomUUID(), model: 'demo', promptTokens: 10, maxOutputTokens });
    const inFlight = await reserve(90_000); // most of free's 100,000
    await expect(reserve(50_000)).resolves.toMatchObject({ maxOutputTokens: expect.any(Number) }); // clamped to what is left
    await expect(reserve(50_000)).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });

    const { customer } = await checkout(user, 'starter');
    await deliverOk(fake.event('customer.subscription.created', fake.putSubscription({ customer, price: PRICES.starter, periodEnd: later(30 * DAY) })));
    const next = await reserve(500_000);
    expect(next.maxOutputTokens).toBe(500_000);
    expect(inFlight.reservedTokens).toBeGreaterThan(90_000);
    const usage = (await t.app.inject({ method: 'GET', url: '/api/usage', headers: authHeader(user) })).json();
    expect(usage).toMatchObject({ tier: 'starter', limit: 1_000_000 });
    expect(usage.reserved).toBeGreaterThan(90_000 + 500_000);
  });

  it("opens Stripe's customer portal for a customer, and says plainly when there is none", async () => {
    const { user, customer } = await subscriber('starter');
    const res = await t.app.inject({ method: 'POST', url: '/api/billing/portal', headers: authHeader(user) });
    expect(res.statusCode).toBe(200);
    expect(res.json().url).toMatch(new RegExp(`^${fake.url}/portal/`));
    const created = fake.requests.filter((r) => r.path === '/v1/billing_portal/sessions').at(-1)!;
    expect(created.params.get('customer')).toBe(customer);
    expect(created.params.get('return_url')).toBe(`${PUBLIC_URL}/plans`);

    const newcomer = await createUser(t.app);
    const none = await t.app.inject({ method: 'POST', url: '/api/billing/portal', headers: authHeader(newcomer) });
    expect(none.statusCode).toBe(409);
    expect(none.json().code).toBe('NO_BILLING_ACCOUNT');
  });

  it('is off without STRIPE_SECRET_KEY: tiers without a shop, no webhook', async () => {
    const off = await buildTestApp(kind, { database: t.database });
    try {
      const user = await createUser(off.app);
      const status = await off.app.inject({ method: 'GET', url: '/api/billing', headers: authHeader(user) });
      expect(status.json()).toEqual({ enabled: false, purchasable: [], subscription: null });
      const res = await off.app.inject({ method: 'POST', url: '/api/billing/checkout', headers: authHeader(user), payload: { tier: 'builder' } });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('BILLING_DISABLED');
      expect((await off.app.inject({ method: 'POST', url: '/api/billing/webhook', payload: {} })).statusCode).toBe(404);
    } finally {
      await off.close();
    }
  });
});
