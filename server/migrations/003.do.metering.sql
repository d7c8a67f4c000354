-- Exact metering: immutable usage records keyed by request id, reservations made before a model
-- call and settled after it, a personal monthly cap, and the admin audit log.
ALTER TABLE users ADD COLUMN monthly_token_cap bigint CHECK (monthly_token_cap IS NULL OR monthly_token_cap >= 0);

-- conversation_id and message_id are kept as plain ids, not foreign keys: deleting a conversation
-- must not touch recorded usage, and a record is never updated.
ALTER TABLE usage_records
  ADD COLUMN request_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  ADD COLUMN month char(7) NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM'),
  ADD COLUMN conversation_id uuid,
  ADD COLUMN message_id uuid,
  ADD COLUMN provider text NOT NULL DEFAULT 'unknown',
  ADD COLUMN cost_nanousd bigint NOT NULL DEFAULT 0 CHECK (cost_nanousd >= 0),
  ADD COLUMN usage_source text NOT NULL DEFAULT 'provider' CHECK (usage_source IN ('provider', 'estimate')),
  ADD COLUMN outcome text NOT NULL DEFAULT 'complete' CHECK (outcome IN ('complete', 'stopped', 'failed')),
  ADD CONSTRAINT usage_records_total_check CHECK (total_tokens = input_tokens + output_tokens);
CREATE INDEX usage_records_user_month_idx ON usage_records (user_id, month);

CREATE FUNCTION usage_records_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'usage_records rows are immutable';
END;
$$;
CREATE TRIGGER usage_records_no_update BEFORE UPDATE ON usage_records
  FOR EACH ROW EXECUTE FUNCTION usage_records_immutable();

ALTER TABLE monthly_usage
  ADD COLUMN reserved_tokens bigint NOT NULL DEFAULT 0 CHECK (reserved_tokens >= 0),
  ADD COLUMN cost_nanousd bigint NOT NULL DEFAULT 0;

CREATE TABLE usage_reservations (
  request_id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  month char(7) NOT NULL,
  tokens bigint NOT NULL CHECK (tokens > 0),
  prompt_tokens bigint NOT NULL,
  model text NOT NULL,
  provider text NOT NULL,
  conversation_id uuid,
  message_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX usage_reservations_expires_idx ON usage_reservations (expires_at);

CREATE TABLE admin_audit_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Kept after the actor or target is deleted: an audit trail outlives accounts.
  actor_id uuid,
  actor_email text NOT NULL,
  action text NOT NULL,
  target_user_id uuid,
  before jsonb,
  after jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_audit_log_created_idx ON admin_audit_log (created_at DESC);
