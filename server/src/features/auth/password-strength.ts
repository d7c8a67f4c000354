// Common and easily guessed passwords are refused (OWASP ASVS 2.1.7, NIST 800-63B 5.1.1.2), judged
// by zxcvbn-ts with its shipped lists (common passwords, English words, names, keyboard patterns):
// a score below 2 means fewer than a million guesses. The dictionaries load once, on first use.
import zxcvbnCore from '@zxcvbn-ts/core';
import zxcvbnCommon from '@zxcvbn-ts/language-common';
import zxcvbnEn from '@zxcvbn-ts/language-en';
import { AppError } from '../../lib/errors.js';

const MIN_SCORE = 2;
// zxcvbn's cost grows with length and with l33t substitutions (at its default of 100, one random
// 64-character password took a second of CPU here): only the first 64 characters are judged, with
// up to 4 substitutions, which still catches "p@ssw0rd" and keeps a check within milliseconds.
const CHECKED_LENGTH = 64;
const L33T_SUBSTITUTIONS = 4;

let factory: InstanceType<typeof zxcvbnCore.ZxcvbnFactory> | undefined;
function estimator() {
  factory ??= new zxcvbnCore.ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    translations: zxcvbnEn.translations,
    l33tMaxSubstitutions: L33T_SUBSTITUTIONS,
  });
  return factory;
}

/** Why the password is too easy to guess, or undefined when it is strong enough. */
export function passwordWeakness(password: string, { email }: { email?: string } = {}): string | undefined {
  const inputs = email ? [email, email.split('@')[0]!, ...email.split(/[@.+_-]/).filter((p) => p.length > 2)] : [];
  const result = estimator().check(password.slice(0, CHECKED_LENGTH), inputs);
  if (result.score >= MIN_SCORE) return undefined;
  const why = result.feedback.warning ?? 'This password is too easy to guess.';
  return [why.endsWith('.') ? why : `${why}.`, ...result.feedback.suggestions].join(' ');
}

/** Throws PASSWORD_TOO_WEAK, saying why, for a common or easily guessed password. */
export function assertStrongPassword(password: string, context: { email?: string } = {}): void {
  const weakness = passwordWeakness(password, context);
  if (weakness) throw new AppError('PASSWORD_TOO_WEAK', weakness);
}
