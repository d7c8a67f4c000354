// Access tokens: short JWTs, HS256 pinned, iss/aud/exp checked, with a `typ` claim so that no
// other JWT we might mint is taken for one, and `sid`, the session (refresh-token family) it belongs
// to: the token stops working when that session ends (authenticate). Refresh tokens are opaque random strings, stored only
// as SHA-256: they can never pass as an access token, and an access token is never found as one.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

export const JWT_ISSUER = 'quota-chat';
export const JWT_AUDIENCE = 'quota-chat-api';
const ACCESS_TYP = 'access';

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

export interface AccessTokenSigner {
  sign(claims: AccessClaims): Promise<{ token: string; expiresIn: number }>;
  /** The user and session, or null when the token is invalid in any way. */
  verify(token: string): Promise<AccessClaims | null>;
}

export function createAccessTokenSigner(secret: string, ttlSeconds: number): AccessTokenSigner {
  const key = new TextEncoder().encode(secret);
  return {
    async sign({ userId, sessionId }) {
      const token = await new SignJWT({ typ: ACCESS_TYP, sid: sessionId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(JWT_ISSUER)
        .setAudience(JWT_AUDIENCE)
        .setIssuedAt()
        .setJti(randomBytes(9).toString('base64url'))
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
      return { token, expiresIn: ttlSeconds };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'], // pinned: 'none' and every other algorithm are refused
          issuer: JWT_ISSUER,
          audience: JWT_AUDIENCE,
          // jose checks iat only against a maximum age: without one, a token "issued" in the future
          // passes. No token of ours outlives its TTL; the tolerance absorbs clock skew between hosts.
          maxTokenAge: ttlSeconds,
          clockTolerance: 5,
          requiredClaims: ['sub', 'exp', 'iat', 'sid'],
        });
        if (payload.typ !== ACCESS_TYP || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
        return { userId: payload.sub, sessionId: payload.sid };
      } catch {
        return null;
      }
    },
  };
}

export interface RefreshTokenMint {
  /** A new random token, for a login. */
  fresh(): { token: string; hash: string };
  /**
   * The token that rotation gives in exchange for `parent`: HMAC(secret, parent). Being derived
   * rather than random, it can be handed again to a client that replays `parent` within the reuse
   * interval (its first answer was lost) without the server ever storing a token itself.
   */
  successorOf(parent: string): { token: string; hash: string };
}

export function createRefreshTokenMint(secret: string): RefreshTokenMint {
  // A key of its own, so that no HMAC made here can ever pass for a signature made with the JWT key.
  const key = createHmac('sha256', secret).update('quota-chat refresh-token rotation').digest();
  const withHash = (token: string) => ({ token, hash: hashRefreshToken(token) });
  return {
    fresh: () => withHash(randomBytes(32).toString('base64url')),
    successorOf: (parent) => withHash(createHmac('sha256', key).update(parent).digest('base64url')),
  };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
