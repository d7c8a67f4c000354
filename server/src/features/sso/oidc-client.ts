// The OpenID Connect relying party, through openid-client: discovery (once, retried after a
// failure), the authorization URL with PKCE, state and nonce, and the code exchange that checks
// them with the ID token's signature, issuer, audience and expiry. Its errors become AppErrors:
// what the provider or the browser got wrong is a 400, a provider out of reach a 502.
import * as oidc from 'openid-client';
import { AppError } from '../../lib/errors.js';

export interface OidcClientOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Plain http to the provider (a provider on localhost in tests and development); never in production. */
  allowHttp: boolean;
}

/** What the browser keeps between the redirect to the provider and the callback (a cookie). */
export interface LoginTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export type Claims = Record<string, unknown> & { sub: string };

export function createOidcClient(opts: OidcClientOptions) {
  let configuration: Promise<oidc.Configuration> | undefined;

  function discovered(): Promise<oidc.Configuration> {
    configuration ??= oidc
      .discovery(new URL(opts.issuer), opts.clientId, opts.clientSecret, undefined, {
        execute: opts.allowHttp ? [oidc.allowInsecureRequests] : [],
        timeout: 10,
      })
      .catch((err: unknown) => {
        configuration = undefined; // the next sign-in tries again
        throw asAppError(err);
      });
    return configuration;
  }

  return {
    async begin(): Promise<{ url: URL; transaction: LoginTransaction }> {
      const config = await discovered();
      const transaction = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: opts.redirectUri,
        scope: 'openid email profile',
        state: transaction.state,
        nonce: transaction.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(transaction.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url, transaction };
    },

    /** The claims of the ID token, with the userinfo endpoint's (many providers keep email there). */
    async complete(callbackParams: URLSearchParams, transaction: LoginTransaction): Promise<{ issuer: string; claims: Claims }> {
      const config = await discovered();
      const currentUrl = new URL(opts.redirectUri);
      currentUrl.search = callbackParams.toString();
      try {
        const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: transaction.codeVerifier,
          expectedState: transaction.state,
          expectedNonce: transaction.nonce,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims()!;
        const userinfo = config.serverMetadata().userinfo_endpoint ? await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub) : {};
        return { issuer: config.serverMetadata().issuer, claims: { ...userinfo, ...idClaims } };
      } catch (err) {
        throw asAppError(err);
      }
    },
  };
}

function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof oidc.AuthorizationResponseError) return new AppError('SSO_FAILED', `The identity provider answered "${err.error.slice(0, 64)}".`);
  if (err instanceof oidc.ResponseBodyError) return new AppError('SSO_FAILED', `The identity provider refused the sign-in ("${err.error.slice(0, 64)}").`);
  const unreachable = err instanceof TypeError || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'));
  const badAnswer = err instanceof oidc.ClientError && (err.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || err.code === 'OAUTH_RESPONSE_IS_NOT_JSON');
  if (unreachable || badAnswer) return new AppError('SSO_PROVIDER_UNAVAILABLE');
  // A check failed: state, nonce, issuer, audience, signature, expiry, PKCE.
  return new AppError('SSO_FAILED', err instanceof oidc.ClientError ? `The sign-in response failed a check (${err.code ?? 'invalid'}).` : undefined);
}

export type OidcClient = ReturnType<typeof createOidcClient>;
