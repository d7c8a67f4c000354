// A user's preferences: today the default instructions that each new conversation starts with
// (conversations copies them in; a later change to the default leaves existing ones alone).
import { assertSystemPromptFits } from '../../lib/system-prompt.js';
import type { Db } from '../../platform/db/db.js';
import { findPreferencesByUser, upsertPreferences } from './preferences.repository.js';

export interface Preferences {
  defaultSystemPrompt: string | null;
  updatedAt: Date | null;
}

export function createPreferencesService({ db, now }: { db: Db; now: () => Date }) {
  return {
    /** The user's preferences, or the defaults when none were ever saved. */
    async get(userId: string): Promise<Preferences> {
      const row = await findPreferencesByUser(db, { userId });
      return { defaultSystemPrompt: row?.default_system_prompt ?? null, updatedAt: row?.updated_at ?? null };
    },

    async put(userId: string, { defaultSystemPrompt }: { defaultSystemPrompt: string | null }): Promise<Preferences> {
      // Blank instructions are no instructions: the model would get an empty system message.
      const text = defaultSystemPrompt?.trim() ? defaultSystemPrompt : null;
      assertSystemPromptFits(text);
      const row = await upsertPreferences(db, { userId, defaultSystemPrompt: text, at: now() });
      return { defaultSystemPrompt: row.default_system_prompt, updatedAt: row.updated_at };
    },

    /** What a new conversation of this user starts with as its system prompt. */
    async defaultSystemPrompt(userId: string): Promise<string | null> {
      return (await findPreferencesByUser(db, { userId }))?.default_system_prompt ?? null;
    },
  };
}

export type PreferencesService = ReturnType<typeof createPreferencesService>;
