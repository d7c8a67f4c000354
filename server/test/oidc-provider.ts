// A real OpenID Connect provider (oidc-provider, the certified Node implementation) inside the
// test process, with one confidential client. Its login page signs in whoever the test names
// (signInAs) and consent is granted at once, so a sign-in is a chain of redirects a test (or a
// browser) follows. tamperIdTokens re-signs the ID tokens it issues, with the provider's own key,
// after a change (another audience, another nonce): what a client must refuse.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

export interface TestIdentity {
  sub: string;
  email?: string;
  email_verified?: boolean;
  /** Custom claims an operator may map (OIDC_ROLE_CLAIM=groups, OIDC_TIER_CLAIM=plan). */
  groups?: string[];
  plan?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The settings that point the app at this provider. */
  env: Record<string, string>;
  signInAs(identity: TestIdentity): void;
  /** Changes the claims of the ID tokens issued from now on (null: stop). */
  tamperIdTokens(change: ((claims: JWTPayload) => JWTPayload) | null): void;
  close(): Promise<void>;
}

export async function startOidcProvider({ redirectUri, clientId = 'quota-chat' }: { redirectUri: string; clientId?: string }): Promise<TestOidcProvider> {
  const clientSecret = 'test-client-secret-that-is-long-enough';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  let identity: TestIdentity = { sub: 'nobody' };
  let tamper: ((claims: JWTPayload) => JWTPayload) | null = null;
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();

  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider: Provider = new Provider(issuer, {
    clients: [
      { client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-provider-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['groups', 'plan'] },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => (sub === identity.sub ? { ...identity } : { sub }) }),
    // Consent is granted without asking, as an organisation's provider does for its own apps.
    loadExistingGrant: async (ctx: { oidc: { client: { clientId: string }; session: { accountId: string } } }) => {
      const grant = new provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path !== '/token' || !tamper || !body?.id_token) return;
    body.id_token = await new SignJWT(tamper(decodeJwt(body.id_token))).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(privateKey);
  });
  const callback = provider.callback();
  handle = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    void provider
      .interactionDetails(req, res)
      .then(() => provider.interactionFinished(req, res, { login: { accountId: identity.sub } }, { mergeWithLastSubmission: false }))
      .catch((err: Error) => {
        res.statusCode = 500;
        res.end(err.message);
      });
  };

  return {
    issuer,
    clientId,
    clientSecret,
    env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret },
    signInAs(next) {
      identity = next;
    },
    tamperIdTokens(change) {
      tamper = change;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A browser's cookies for the provider's origin, enough to follow its redirects. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  take(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}

/**
 * Follows the provider's redirects from its authorization URL, as a browser would, until one
 * leaves the provider: answers that URL (the app's callback with its code and state).
 */
export async function followProvider(authorizationUrl: string, issuer: string, jar = new CookieJar()): Promise<string> {
  let url = authorizationUrl;
  for (let hops = 0; hops < 10; hops += 1) {
    if (!url.startsWith(issuer)) return url;
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.take(res.headers.getSetCookie());
    const location = res.headers.get('location');
    if (!location) throw new Error(`the provider answered ${res.status} without a redirect: ${await res.text()}`);
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects at the provider');
}
