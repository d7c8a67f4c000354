import type { Queryable } from '../../platform/db/db.js';

export interface PreferencesRow {
  user_id: string;
  default_system_prompt: string | null;
  updated_at: Date;
}

const COLUMNS = 'user_id, default_system_prompt, updated_at';

export async function findPreferencesByUser(db: Queryable, { userId }: { userId: string }): Promise<PreferencesRow | undefined> {
  const { rows } = await db.query<PreferencesRow>(`SELECT ${COLUMNS} FROM user_preferences WHERE user_id = $1`, [userId]);
  return rows[0];
}

/** Writes the whole row (PUT semantics), making it on the first save. */
export async function upsertPreferences(
  db: Queryable,
  { userId, defaultSystemPrompt, at }: { userId: string; defaultSystemPrompt: string | null; at: Date },
): Promise<PreferencesRow> {
  const { rows } = await db.query<PreferencesRow>(
    `INSERT INTO user_preferences (user_id, default_system_prompt, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO UPDATE SET default_system_prompt = EXCLUDED.default_system_prompt, updated_at = EXCLUDED.updated_at
     RETURNING ${COLUMNS}`,
    [userId, defaultSystemPrompt, at],
  );
  return rows[0]!;
}
