// Personal API keys: "qc_" and 43 base64url characters, 32 random bytes. At 256 bits a key cannot
// be guessed, so finding it by its SHA-256 (unique index) needs no slow hash and no attempt limit,
// and the key itself is never stored: the table holds only the hash and a short prefix to show.
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_MARKER = 'qc_';
/** How much of a key the user is shown later to tell keys apart: "qc_" and 8 characters. */
export const API_KEY_PREFIX_LENGTH = API_KEY_MARKER.length + 8;
const API_KEY_PATTERN = /^qc_[A-Za-z0-9_-]{43}$/;

export interface NewApiKey {
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): NewApiKey {
  const key = API_KEY_MARKER + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, API_KEY_PREFIX_LENGTH), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** True for a string of the shape of an API key (it may still be unknown or revoked). */
export function looksLikeApiKey(token: string): boolean {
  return API_KEY_PATTERN.test(token);
}
