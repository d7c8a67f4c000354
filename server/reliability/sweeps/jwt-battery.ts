// The forged, stale and misplaced credentials that every authenticated route must refuse with
// 401. Tokens are made with jose from the claims of a real access token (features/auth/tokens.ts:
// typ, sub, iss, aud, iat, exp and whatever else it carries), HS256 with the server's secret,
// each case changing one thing, so that the one change is what must be refused.
import { createHmac, randomBytes } from 'node:crypto';
import { decodeJwt, exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';

export interface Credential {
  name: string;
  /** The Authorization header, or undefined for none. */
  authorization?: string;
}

export interface BatteryContext {
  /** The server's JWT secret. */
  secret: string;
  /** Whose account a forged token claims: the user a bypass would act as. */
  subject: string;
  /** A real access token of `subject`, for tampering with. */
  subjectToken: string;
  /** Another user's id, for the tampered subject. */
  otherUserId: string;
  refreshToken: string;
  apiKey: string;
  deletedUserToken: string;
  deactivatedUserToken: string;
}

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A JWT signed with HMAC by hand: jose refuses an empty key, and the header is ours to choose. */
function hmacJwt(header: object, payload: JWTPayload, key: string | Buffer, hash = 'sha256'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

const bearer = (token: string) => `Bearer ${token}`;

// Made once per process: generating an RSA key pair takes a while, and any key pair will do.
let keyPairs: Promise<[CryptoKeyPair, CryptoKeyPair]> | undefined;
const generatedKeyPairs = () => (keyPairs ??= Promise.all([generateKeyPair('RS256', { extractable: true }), generateKeyPair('ES256', { extractable: true })]));

export async function jwtBattery(ctx: BatteryContext): Promise<Credential[]> {
  const secret = new TextEncoder().encode(ctx.secret);
  const real = decodeJwt(ctx.subjectToken);
  if (real.sub !== ctx.subject) throw new Error("the subject token is not the subject's");
  const own = (overrides: JWTPayload = {}): JWTPayload => ({ ...real, iat: now(), exp: now() + 900, jti: randomBytes(9).toString('base64url'), ...overrides });
  const hs = (alg: string, payload: JWTPayload, key: Uint8Array = secret) => new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
  const [rsa, ec] = await generatedKeyPairs();
  const publicPem = await exportSPKI(rsa.publicKey);
  const [header, , signature] = ctx.subjectToken.split('.') as [string, string, string];
  const tampered = { ...real, sub: ctx.otherUserId };
  const at = now();
  const cases: [string, string | undefined][] = [
    ['no credential', undefined],
    ['a Basic credential', `Basic ${Buffer.from('someone:password').toString('base64')}`],
    ['not a JWT', bearer('not-a-jwt')],
    ['alg none', bearer(new UnsecuredJWT(own()).encode())],
    ['alg "None" with the real signature kept', bearer(`${b64({ alg: 'None', typ: 'JWT' })}.${b64(own())}.${signature}`)],
    ['a wrong key', bearer(await hs('HS256', own(), randomBytes(32)))],
    ['an empty key', bearer(hmacJwt({ alg: 'HS256', typ: 'JWT' }, own(), ''))],
    ['HS384 with the real secret', bearer(await hs('HS384', own()))],
    ['HS512 with the real secret', bearer(await hs('HS512', own()))],
    ['HS256 keyed with an RSA public key (RS/HS confusion)', bearer(hmacJwt({ alg: 'HS256', typ: 'JWT' }, own(), publicPem))],
    ['RS256 signed with a generated key pair', bearer(await new SignJWT(own()).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey))],
    [
      'RS256 with its public key embedded (jwk header)',
      bearer(await new SignJWT(own()).setProtectedHeader({ alg: 'RS256', jwk: await exportJWK(rsa.publicKey) }).sign(rsa.privateKey)),
    ],
    ['ES256 signed with a generated key pair', bearer(await new SignJWT(own()).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey))],
    ['expired', bearer(await hs('HS256', own({ iat: at - 3600, exp: at - 60 })))],
    ['not yet valid (nbf in the future)', bearer(await hs('HS256', own({ nbf: at + 3600, exp: at + 7200 })))],
    ['issued in the future (iat)', bearer(await hs('HS256', own({ iat: at + 3600, exp: at + 7200 })))],
    ['a wrong issuer', bearer(await hs('HS256', own({ iss: 'someone-else' })))],
    ['a wrong audience', bearer(await hs('HS256', own({ aud: 'another-api' })))],
    ['no expiry', bearer(await hs('HS256', own({ exp: undefined })))],
    ['no subject', bearer(await hs('HS256', own({ sub: undefined })))],
    ['typ other than access', bearer(await hs('HS256', own({ typ: 'refresh' })))],
    ['no typ', bearer(await hs('HS256', own({ typ: undefined })))],
    ['a refresh token', bearer(ctx.refreshToken)],
    ['an API key', bearer(ctx.apiKey)],
    ["a tampered subject (another user's id, signature kept)", bearer(`${header}.${b64(tampered)}.${signature}`)],
    ['a truncated signature', bearer(ctx.subjectToken.slice(0, -4))],
    ["a deleted user's token", bearer(ctx.deletedUserToken)],
    ["a deactivated user's token", bearer(ctx.deactivatedUserToken)],
  ];
  return cases.map(([name, authorization]) => ({ name, authorization }));
}

export interface KeyBatteryContext {
  /** A real API key, for tampering with. */
  apiKey: string;
  revokedKey: string;
  deletedUserKey: string;
  deactivatedUserKey: string;
  /** A live access token: /v1 takes API keys only. */
  accessToken: string;
}

/** What /v1 must refuse besides every JWT above: API keys that are not, or no longer, good. */
export function keyBattery(ctx: KeyBatteryContext): Credential[] {
  const last = ctx.apiKey.at(-1) === 'a' ? 'b' : 'a';
  const cases: [string, string][] = [
    ['a revoked API key', ctx.revokedKey],
    ["a deleted user's API key", ctx.deletedUserKey],
    ["a deactivated user's API key", ctx.deactivatedUserKey],
    ['a tampered API key', `${ctx.apiKey.slice(0, -1)}${last}`],
    ['a made-up API key', `qc_${randomBytes(24).toString('base64url')}`],
    ['the API key prefix alone', 'qc_'],
    ['a live access token', ctx.accessToken],
  ];
  return cases.map(([name, token]) => ({ name, authorization: bearer(token) }));
}
