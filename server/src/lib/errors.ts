// Every error a client can see has a stable code, an HTTP status and a message a person can act on.
// Thrown as AppError anywhere; turned into RFC 9457 problem+json by plugins/problem-handler.ts.
export const ERRORS = {
  VALIDATION_FAILED: { status: 422, title: 'The request is not valid' },
  MALFORMED_REQUEST: { status: 400, title: 'The request body could not be read' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Send the body as application/json' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  NUL_IN_TEXT: { status: 400, title: 'Text may not contain the NUL character (U+0000)' },
  INVALID_HTTP: { status: 400, title: 'The request is not valid HTTP' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request did not arrive in time' },
  NOT_FOUND: { status: 404, title: 'Nothing here' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  EMAIL_TAKEN: { status: 400, title: 'An account with this email already exists' },
  INVALID_CREDENTIALS: { status: 401, title: 'Email or password is incorrect' },
  ACCOUNT_DEACTIVATED: { status: 403, title: 'This account is deactivated; ask an administrator to reactivate it' },
  UNAUTHENTICATED: { status: 401, title: 'Log in to continue' },
  TOKEN_INVALID: { status: 401, title: 'Your session is not valid; log in again' },
  REFRESH_TOKEN_INVALID: { status: 401, title: 'Your session has ended; log in again' },
  ORIGIN_NOT_ALLOWED: { status: 403, title: 'This origin may not use the session cookie' },
  FORBIDDEN: { status: 403, title: 'You do not have permission to do this' },
  RATE_LIMITED: { status: 429, title: 'Too many requests; wait and try again' },
  QUOTA_EXCEEDED: { status: 429, title: "You have used this month's tokens" },
  DATABASE_UNAVAILABLE: { status: 503, title: 'The database is unavailable; try again shortly' },
  RATE_LIMITER_UNAVAILABLE: { status: 503, title: 'Request limits cannot be checked right now; try again shortly' },
  SERVER_BUSY: { status: 503, title: 'The server is at capacity; try again in a moment' },
  // Accounts: recovery, verification, sessions.
  PASSWORD_TOO_WEAK: { status: 422, title: 'This password is too easy to guess; choose another' },
  MAIL_LINK_INVALID: { status: 400, title: 'This link is invalid, used or expired; ask for a new one' },
  EMAIL_NOT_VERIFIED: { status: 403, title: 'Confirm your email address first: use the link we sent you' },
  EMAIL_RECENTLY_DELETED: { status: 400, title: 'An account with this email was deleted this month' },
  SESSION_NOT_FOUND: { status: 404, title: 'There is no such session' },
  // Conversations, chat and models.
  CONVERSATION_NOT_FOUND: { status: 404, title: 'There is no such conversation' },
  MESSAGE_NOT_FOUND: { status: 404, title: 'There is no such message in this conversation' },
  NOTHING_TO_SHARE: { status: 409, title: 'The conversation has no messages to share yet' },
  SHARED_LINK_NOT_FOUND: { status: 404, title: 'There is no such shared link, or its owner deleted it' },
  INVALID_CURSOR: { status: 422, title: 'The cursor is not valid; start again from the first page' },
  NOTHING_TO_REGENERATE: { status: 409, title: 'There is no message to answer again yet' },
  PROMPT_TOO_LONG: { status: 422, title: "The message does not fit in the model's context window" },
  MODEL_NOT_FOUND: { status: 404, title: 'There is no such model' },
  MODEL_NOT_ALLOWED: { status: 403, title: 'Your plan does not include this model' },
  SYSTEM_PROMPT_TOO_LONG: { status: 422, title: 'The instructions are longer than 20,000 characters' },
  // API keys and the OpenAI-compatible API (/v1 answers these in OpenAI's error shape).
  API_KEY_INVALID: { status: 401, title: 'The API key is missing, invalid or revoked' },
  API_KEY_LIMIT: { status: 409, title: 'You have as many API keys as allowed; revoke one first' },
  API_KEY_NOT_FOUND: { status: 404, title: 'There is no such API key' },
  // Teams: a team, its members and invitations are 404 to anyone outside it.
  TEAM_NOT_FOUND: { status: 404, title: 'There is no such team, or you are not a member' },
  TEAM_MEMBER_NOT_FOUND: { status: 404, title: 'There is no such member in this team' },
  TEAM_INVITATION_NOT_FOUND: { status: 404, title: 'There is no such invitation' },
  TEAM_INVITATION_INVALID: { status: 400, title: 'This invitation link is not valid, has expired or was used' },
  TEAM_ROLE_REQUIRED: { status: 403, title: 'This needs a higher role in the team' },
  TEAM_OWNER_CANNOT_LEAVE: { status: 409, title: 'The owner hands the team over before leaving' },
  TEAM_ALREADY_MEMBER: { status: 409, title: 'This person is already a member of the team' },
  ACCOUNT_OWNS_TEAMS: { status: 409, title: 'Hand over or delete the teams you own before deleting your account' },
  UPSTREAM_ERROR: { status: 502, title: 'The model provider could not answer' },
  UPSTREAM_UNAVAILABLE: { status: 502, title: 'The model provider cannot be reached' },
  UPSTREAM_TIMEOUT: { status: 504, title: 'The model provider took too long to answer' },
  // Billing (Stripe).
  BILLING_DISABLED: { status: 404, title: 'Plans cannot be bought on this server; an administrator sets tiers' },
  PLAN_NOT_PURCHASABLE: { status: 422, title: 'This tier is not on sale' },
  ALREADY_SUBSCRIBED: { status: 409, title: 'You already have a subscription; change its plan with Manage subscription' },
  NO_BILLING_ACCOUNT: { status: 409, title: 'You have not bought a plan yet' },
  WEBHOOK_SIGNATURE_INVALID: { status: 400, title: 'The Stripe signature of this event is missing or wrong' },
  BILLING_PROVIDER_UNAVAILABLE: { status: 502, title: 'The payment provider could not be reached; try again shortly' },
  // Single sign-on (OpenID Connect).
  SSO_DISABLED: { status: 404, title: 'Single sign-on is not set up on this server' },
  SSO_FAILED: { status: 400, title: 'Single sign-on did not complete; start again from the login page' },
  SSO_EMAIL_UNVERIFIED: { status: 403, title: 'Your identity provider did not confirm an email address for you' },
  SSO_ACCOUNT_EXISTS: { status: 409, title: 'An account with this email exists; log in with its password' },
  SSO_PROVIDER_UNAVAILABLE: { status: 502, title: 'The identity provider could not be reached; try again shortly' },
  SIGN_UP_DISABLED: { status: 403, title: 'Accounts are created by signing in with single sign-on' },
  INTERNAL: { status: 500, title: 'Something went wrong on our side' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    /** Extra members for the problem body (limits, usage, reset time...). */
    readonly extra: Record<string, unknown> = {},
    /** Response headers such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? ERRORS[code].title);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}
