// Access tokens: short JWTs, HS256 pinned, iss/aud/exp checked, with a `typ` claim so that no
// other JWT we might mint is taken for one. Refresh tokens are opaque random strings, stored only
// as SHA-256: they can never pass as an access token, and an access token is never found as one.
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

export const JWT_ISSUER = 'quota-chat';
export const JWT_AUDIENCE = 'quota-chat-api';
const ACCESS_TYP = 'access';

export interface AccessTokenSigner {
  sign(userId: string): Promise<{ token: string; expiresIn: number }>;
  /** The user id, or null when the token is invalid in any way. */
  verify(token: string): Promise<string | null>;
}

export function createAccessTokenSigner(secret: string, ttlSeconds: number): AccessTokenSigner {
  const key = new TextEncoder().encode(secret);
  return {
    async sign(userId) {
      const token = await new SignJWT({ typ: ACCESS_TYP })
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
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        if (payload.typ !== ACCESS_TYP || typeof payload.sub !== 'string') return null;
        return payload.sub;
      } catch {
        return null;
      }
    },
  };
}

export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
