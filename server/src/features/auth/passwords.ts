// argon2id with OWASP's minimum parameters (19 MiB, t=2, p=1). @node-rs/argon2 hashes on libuv's
// thread pool, so hashing never blocks the event loop. Hashes written by the reference (bcrypt)
// still verify, and the caller re-hashes them with argon2id on that login.
import { hash, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

// algorithm 2 is Argon2id (the package's const enum cannot be imported under isolatedModules).
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export function isLegacyHash(passwordHash: string): boolean {
  return /^\$2[abxy]\$/.test(passwordHash);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (isLegacyHash(passwordHash)) {
    // bcrypt reads only the first 72 bytes. The reference's bcrypt refused longer passwords, so no
    // legacy account can have one; refusing them here keeps "never truncated" true for legacy hashes too.
    if (Buffer.byteLength(password) > 72) return false;
    return bcrypt.compare(password, passwordHash);
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // malformed stored hash: treat as a mismatch, never a 500
  }
}

let dummyHash: Promise<string> | undefined;
/** A real argon2id hash to verify against when there is no user, so a miss costs what a hit costs. */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password-just-for-timing');
  return dummyHash;
}
