import { z } from 'zod';
import type { Preferences } from './preferences.service.js';

// The length limit is the service's (lib/system-prompt.ts): it answers 422 SYSTEM_PROMPT_TOO_LONG
// with the limit, not a generic validation failure. The body limit bounds the text before that.
export const putPreferencesBody = z
  .object({
    default_system_prompt: z.string().nullable().describe('Instructions each new conversation starts with (at most 20,000 characters); null for none.'),
  })
  .strict();
export type PutPreferencesBody = z.infer<typeof putPreferencesBody>;

export const preferencesResponse = z.object({
  default_system_prompt: z.string().nullable(),
  /** Null until the preferences are first saved. */
  updated_at: z.string().nullable(),
});
export type PreferencesResponse = z.infer<typeof preferencesResponse>;

export function toPreferencesResponse(p: Preferences): PreferencesResponse {
  return { default_system_prompt: p.defaultSystemPrompt, updated_at: p.updatedAt ? new Date(p.updatedAt).toISOString() : null };
}
