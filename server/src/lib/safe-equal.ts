// Comparing a secret with === stops at the first differing character, so the time an answer takes
// tells an attacker how much of a guess was right. Hashing both sides first gives two buffers of
// one length (timingSafeEqual needs that) and hides the secret's length as well.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether two strings are equal, in a time that does not depend on where they differ. */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
