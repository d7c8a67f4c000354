-- Conversations and their messages. Both carry user_id so that every query can filter by owner
-- directly, and a deleted user takes its data along (ON DELETE CASCADE).
CREATE TABLE conversations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- NULL until the user names it or the first exchange titles it.
  title text CHECK (title IS NULL OR char_length(title) BETWEEN 1 AND 200),
  model text NOT NULL,
  system_prompt text CHECK (system_prompt IS NULL OR char_length(system_prompt) <= 20000),
  pinned boolean NOT NULL DEFAULT false,
  archived boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_message_at timestamptz,
  -- "Most recently active": the sort key of the list and of its keyset cursor.
  active_at timestamptz GENERATED ALWAYS AS (COALESCE(last_message_at, created_at)) STORED
);
-- Serves the list (pinned first, then most recently active) and its keyset pagination.
CREATE INDEX conversations_user_list_idx ON conversations (user_id, archived, pinned DESC, active_at DESC, id DESC);

CREATE TABLE messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Insertion order: a user message and its reply are written in one transaction, so they share
  -- created_at; seq orders them.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
  content text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'complete' CHECK (status IN ('complete', 'streaming', 'stopped', 'failed')),
  model text,
  error text,
  input_tokens integer CHECK (input_tokens IS NULL OR input_tokens >= 0),
  output_tokens integer CHECK (output_tokens IS NULL OR output_tokens >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- A conversation's messages in order; also serves the per-conversation text search (EXISTS).
CREATE INDEX messages_conversation_seq_idx ON messages (conversation_id, seq);
CREATE INDEX messages_user_idx ON messages (user_id);
