-- A user's preferences, one row per user, made on the first save (no row: the defaults). Today the
-- default instructions (system prompt) copied into each new conversation; the same limit as a
-- conversation's own system prompt.
CREATE TABLE user_preferences (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  default_system_prompt text CHECK (default_system_prompt IS NULL OR char_length(default_system_prompt) <= 20000),
  updated_at timestamptz NOT NULL DEFAULT now()
);
