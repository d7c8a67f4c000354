// The access-token signer's own checks, with tokens made by hand: each differs from a good one in
// one claim. (Every route's refusal of these is swept by server/reliability/sweeps.)
import { SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAccessTokenSigner, JWT_AUDIENCE, JWT_ISSUER } from './tokens.js';

const SECRET = 'a-test-secret-of-at-least-thirty-two-bytes';
const TTL = 900;
const now = () => Math.floor(Date.now() / 1000);

function token(overrides: JWTPayload = {}) {
  const claims = {
    typ: 'access',
    sub: '0c6f9a5e-9f0e-4a8b-8c1d-2b7e4f1a9c3d',
    sid: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
    iss: JWT_ISSUER,
    aud: JWT_AUDIENCE,
    iat: now(),
    exp: now() + TTL,
  };
  return new SignJWT({ ...claims, ...overrides }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(SECRET));
}

describe('createAccessTokenSigner().verify', () => {
  const signer = createAccessTokenSigner(SECRET, TTL);

  it('accepts a good token, and one issued a second ahead of its clock (skew between hosts)', async () => {
    expect(await signer.verify(await token())).not.toBeNull();
    expect(await signer.verify(await token({ iat: now() + 1 }))).not.toBeNull();
  });

  it('refuses a token issued in the future', async () => {
    expect(await signer.verify(await token({ iat: now() + 3600, exp: now() + 3600 + TTL }))).toBeNull();
  });

  it('refuses a token older than the TTL, whatever its expiry says', async () => {
    expect(await signer.verify(await token({ iat: now() - TTL - 60, exp: now() + 3600 }))).toBeNull();
  });
});
