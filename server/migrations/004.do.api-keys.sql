-- Personal API keys for the OpenAI-compatible API (/v1). Only the SHA-256 of a key is stored: a
-- leaked table grants nothing. A revoked key keeps its row (revoked_at) so the owner's history
-- stays readable; deleting the user deletes its keys.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  -- The first characters of the key ("qc_" and 8 more), shown so that a user can tell keys apart.
  prefix text NOT NULL,
  key_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Written at most once a minute per key (docs/decisions/009), not on every request.
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);
