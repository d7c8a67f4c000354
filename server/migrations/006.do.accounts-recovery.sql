-- Accounts people can recover and control (docs/decisions/015): a verified-email mark, mailed
-- one-time tokens, what the session list shows, usage that outlives a deleted account, and the
-- addresses of deleted accounts (hashed) until their month ends.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- A session is a refresh-token family (docs/decisions/002). Each token carries when its session
-- began and the client that last refreshed it, so the live token of a family describes it.
ALTER TABLE refresh_tokens
  ADD COLUMN session_started_at timestamptz,
  ADD COLUMN user_agent text CHECK (char_length(user_agent) <= 512),
  ADD COLUMN ip text CHECK (char_length(ip) <= 64);
UPDATE refresh_tokens r SET session_started_at = f.started
  FROM (SELECT family_id, min(created_at) AS started FROM refresh_tokens GROUP BY family_id) f
  WHERE f.family_id = r.family_id;
ALTER TABLE refresh_tokens
  ALTER COLUMN session_started_at SET NOT NULL,
  ALTER COLUMN session_started_at SET DEFAULT now();
-- The live token of a session, which every authenticated request looks up (authenticate).
CREATE INDEX refresh_tokens_live_family_idx ON refresh_tokens (family_id) WHERE revoked_at IS NULL;

-- Mailed links: password resets and email verification. Only the SHA-256 of a token is stored;
-- used_at makes it single-use.
CREATE TABLE account_tokens (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_expires_idx ON account_tokens (expires_at);

-- Usage stays for the operator's accounting when its account is deleted, detached from it.
ALTER TABLE usage_records
  ALTER COLUMN user_id DROP NOT NULL,
  DROP CONSTRAINT usage_records_user_id_fkey,
  ADD CONSTRAINT usage_records_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE monthly_usage
  ALTER COLUMN user_id DROP NOT NULL,
  DROP CONSTRAINT monthly_usage_user_id_fkey,
  ADD CONSTRAINT monthly_usage_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL;

-- A record stays immutable, bar the one change that detaches it from a deleted account.
CREATE OR REPLACE FUNCTION usage_records_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.user_id IS NOT NULL AND NEW.user_id IS NULL AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'usage_records rows are immutable';
END;
$$;

-- The address of a deleted account, as a keyed hash (HMAC), until the end of the month its usage
-- was counted in: signing up again with it waits until then (docs/decisions/015).
CREATE TABLE deleted_account_emails (
  email_hash text PRIMARY KEY,
  blocked_until timestamptz NOT NULL
);
