// The one limit on instructions (a conversation's system prompt, a user's default one), checked
// where they are written so that both answer the same 422 SYSTEM_PROMPT_TOO_LONG. Counted in
// characters (code points) as PostgreSQL's char_length counts them: the tables' CHECKs agree.
import { AppError } from './errors.js';

export const SYSTEM_PROMPT_MAX_CHARS = 20_000;

/** Code points, not UTF-16 units: an emoji is one character, as the CHECK constraint counts it. */
export function countCharacters(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

export function assertSystemPromptFits(text: string | null | undefined): void {
  if (text == null) return;
  const length = countCharacters(text);
  if (length > SYSTEM_PROMPT_MAX_CHARS) {
    throw new AppError(
      'SYSTEM_PROMPT_TOO_LONG',
      `The instructions are ${length.toLocaleString('en')} characters long; shorten them to at most ${SYSTEM_PROMPT_MAX_CHARS.toLocaleString('en')}.`,
      { limit: SYSTEM_PROMPT_MAX_CHARS, length },
    );
  }
}
