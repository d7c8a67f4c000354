-- Shared links (docs/decisions/022): a read-only view of one conversation as it was when its owner
-- shared it, the branch from the first message to leaf_message_id. The token is the link's only
-- credential: 192 random bits, base64url, unique; the owner can read it back (to copy the link
-- again), so it is kept as it is (a reader of this table can read the conversation anyway).
-- A conversation has at most one live link; revoking keeps the row (its token never works again)
-- and sharing again makes a new token. Deleting the conversation or the account removes its links.
CREATE TABLE conversation_shares (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token text NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{32}$'),
  leaf_message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE UNIQUE INDEX conversation_shares_one_live ON conversation_shares (conversation_id) WHERE revoked_at IS NULL;
CREATE INDEX conversation_shares_user_idx ON conversation_shares (user_id);
