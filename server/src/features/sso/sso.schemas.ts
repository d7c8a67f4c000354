import { z } from 'zod';

export const ssoInfoResponse = z.object({
  /** Null when single sign-on is not set up. */
  provider: z.object({ name: z.string(), login_url: z.string() }).nullable(),
  /** False when accounts come from single sign-on only (OIDC_ONLY): the page hides "Sign up". */
  password_sign_up: z.boolean(),
});
export type SsoInfoResponse = z.infer<typeof ssoInfoResponse>;

const param = z.string().max(4096).optional();

/** What a provider sends back (RFC 6749 4.1.2, RFC 9207's iss); other parameters are dropped. */
export const callbackQuery = z.object({
  code: param,
  state: param,
  iss: param,
  session_state: param,
  error: param,
  error_description: param,
});

/** The login transaction's cookie, as the login route wrote it. */
export const transactionCookie = z.object({
  state: z.string().min(1).max(256),
  nonce: z.string().min(1).max(256),
  codeVerifier: z.string().min(43).max(128),
});
