// The one place a Stripe client is made. STRIPE_API_URL points it elsewhere than api.stripe.com
// (tests run a local fake Stripe, server/test/fake-stripe.ts); the package itself takes a host,
// a port and a protocol.
import Stripe from 'stripe';

export interface StripeClientOptions {
  secretKey: string;
  /** e.g. http://127.0.0.1:12111; Stripe's own API when unset. */
  apiUrl?: string | undefined;
}

export function createStripeClient({ secretKey, apiUrl }: StripeClientOptions): Stripe {
  const target = apiUrl ? new URL(apiUrl) : undefined;
  return new Stripe(secretKey, {
    // Retries reuse an idempotency key, so a create that timed out is not made twice.
    maxNetworkRetries: 2,
    timeout: 15_000,
    telemetry: false,
    ...(target && {
      host: target.hostname,
      port: target.port || (target.protocol === 'https:' ? 443 : 80),
      protocol: target.protocol === 'http:' ? 'http' : 'https',
    }),
  });
}
