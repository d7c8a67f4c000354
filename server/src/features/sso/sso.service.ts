// Single sign-on: who an OpenID Connect provider says signed in, and the account that gets the
// session. An identity is its issuer and subject (sso_identities); the first sign-in of one links
// it to a new account, or to the password account with the same email when the operator allows
// it (OIDC_LINK_EXISTING), and never on an email the provider has not verified. The session
// itself is auth's, the accounts users': this module calls both services (docs/decisions/016).
import { randomBytes } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import { TIER_NAMES, type TierName } from '../../lib/tiers/tiers.js';
import type { Db } from '../../platform/db/db.js';
import type { AuthService, Session, SessionClient } from '../auth/auth.service.js';
import type { UserRow, UsersService } from '../users/users.service.js';
import type { Claims, LoginTransaction, OidcClient } from './oidc-client.js';
import { findIdentity, insertIdentity, touchIdentity } from './sso.repository.js';

export interface ClaimMapping {
  /** A claim whose value, or one of whose values, in adminValues makes a new account an admin. */
  roleClaim?: string;
  adminValues: string[];
  /** A claim naming a tier for a new account. */
  tierClaim?: string;
}

export interface SsoServiceDeps {
  db: Db;
  users: UsersService;
  auth: AuthService;
  oidc: OidcClient;
  /** The button's label: "Sign in with <displayName>". */
  displayName: string;
  mapping: ClaimMapping;
  linkExisting: boolean;
}

/** A claim as a list of strings (a string, or the strings of an array such as groups). */
function valuesOf(claims: Claims, name: string | undefined): string[] {
  if (!name) return [];
  const value = claims[name];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The role and tier a new account gets from the provider's claims (only at its creation). */
export function accountFromClaims(claims: Claims, mapping: ClaimMapping): { role: 'user' | 'admin'; tier?: TierName } {
  const admin = valuesOf(claims, mapping.roleClaim).some((v) => mapping.adminValues.includes(v));
  const tier = valuesOf(claims, mapping.tierClaim).find((v): v is TierName => (TIER_NAMES as readonly string[]).includes(v));
  return { role: admin ? 'admin' : 'user', tier };
}

export function createSsoService(deps: SsoServiceDeps) {
  const { db, users, auth, oidc } = deps;

  async function createAccount(email: string, claims: Claims): Promise<UserRow> {
    // No password is ever set: a random one nobody knows (a password reset can give it one).
    const passwordHash = await auth.hashNewPassword(randomBytes(32).toString('base64url'), email);
    const created = await users.createUser({ email, passwordHash });
    await users.markEmailVerified(created.id);
    const { role, tier } = accountFromClaims(claims, deps.mapping);
    if (role === 'user' && !tier) return (await users.findUser(created.id))!;
    return (await users.updateUser(created.id, { role, ...(tier ? { tier } : {}) })).after;
  }

  /** The account of a first sign-in: an existing one by email (when allowed) or a new one. */
  async function accountForNewIdentity(issuer: string, claims: Claims): Promise<UserRow> {
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    if (!email || email.length > 254 || claims.email_verified !== true) throw new AppError('SSO_EMAIL_UNVERIFIED');
    const existing = await users.findUserByEmail(email);
    if (existing && !deps.linkExisting) throw new AppError('SSO_ACCOUNT_EXISTS');
    const user = existing ?? (await createAccount(email, claims));
    if (existing) await users.markEmailVerified(existing.id);
    if (!(await insertIdentity(db, { issuer, subject: claims.sub, user_id: user.id, email }))) {
      const winner = await findIdentity(db, { issuer, subject: claims.sub }); // a concurrent first sign-in linked it
      return (await users.findUser(winner!.user_id))!;
    }
    return (await users.findUser(user.id))!;
  }

  return {
    /** What the login page shows. */
    describe: () => ({ name: deps.displayName }),

    begin: () => oidc.begin(),

    /** Checks the provider's answer and starts a session for its account (auth's, as a login). */
    async complete(callbackParams: URLSearchParams, transaction: LoginTransaction, client: SessionClient): Promise<Session> {
      const { issuer, claims } = await oidc.complete(callbackParams, transaction);
      if (claims.sub.length > 255) throw new AppError('SSO_FAILED', 'The identity provider sent a subject longer than OpenID Connect allows.');
      const identity = await findIdentity(db, { issuer, subject: claims.sub });
      let user: UserRow | undefined;
      if (identity) {
        user = await users.findUser(identity.user_id);
        if (typeof claims.email === 'string') await touchIdentity(db, { issuer, subject: claims.sub, email: claims.email.slice(0, 254) });
      } else {
        user = await accountForNewIdentity(issuer, claims);
      }
      if (!user) throw new AppError('INVALID_CREDENTIALS');
      // A deactivated account: ACCOUNT_DEACTIVATED (403). The provider vouched for this person, so saying so leaks nothing.
      return auth.startSession(user, client);
    },
  };
}

export type SsoService = ReturnType<typeof createSsoService>;
