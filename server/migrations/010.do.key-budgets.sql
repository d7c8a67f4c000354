-- Budgets per API key (docs/decisions/019): a monthly token cap and an expiry on each key, the
-- key's month as a budget row of its own beside the user's, and the key a call was charged to on
-- its reservation and its record (a plain id, as conversation_id: a record outlives its key).
ALTER TABLE api_keys
  ADD COLUMN monthly_token_cap bigint CHECK (monthly_token_cap IS NULL OR monthly_token_cap >= 0),
  ADD COLUMN expires_at timestamptz;

ALTER TABLE usage_records ADD COLUMN key_id uuid;
CREATE INDEX usage_records_key_month_idx ON usage_records (key_id, month) WHERE key_id IS NOT NULL;
ALTER TABLE usage_reservations ADD COLUMN key_id uuid;

-- One row per key and month, moved with the user's row in the same statements: reserved while a
-- call runs, settled to the sum of the key's records. No foreign key: it stays, as the records do.
CREATE TABLE key_monthly_usage (
  key_id uuid NOT NULL,
  month char(7) NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  input_tokens bigint NOT NULL DEFAULT 0,
  output_tokens bigint NOT NULL DEFAULT 0,
  total_tokens bigint NOT NULL DEFAULT 0,
  reserved_tokens bigint NOT NULL DEFAULT 0 CHECK (reserved_tokens >= 0),
  request_count integer NOT NULL DEFAULT 0,
  cost_nanousd bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (key_id, month)
);
