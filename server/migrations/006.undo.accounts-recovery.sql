DROP TABLE deleted_account_emails;

CREATE OR REPLACE FUNCTION usage_records_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'usage_records rows are immutable';
END;
$$;

-- Usage detached from deleted accounts cannot go back to NOT NULL: it goes, as it did before.
DELETE FROM monthly_usage WHERE user_id IS NULL;
ALTER TABLE usage_records DISABLE TRIGGER usage_records_no_update;
DELETE FROM usage_records WHERE user_id IS NULL;
ALTER TABLE usage_records ENABLE TRIGGER usage_records_no_update;
ALTER TABLE monthly_usage
  DROP CONSTRAINT monthly_usage_user_id_fkey,
  ADD CONSTRAINT monthly_usage_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE usage_records
  DROP CONSTRAINT usage_records_user_id_fkey,
  ADD CONSTRAINT usage_records_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  ALTER COLUMN user_id SET NOT NULL;

DROP TABLE account_tokens;

DROP INDEX refresh_tokens_live_family_idx;
ALTER TABLE refresh_tokens DROP COLUMN session_started_at, DROP COLUMN user_agent, DROP COLUMN ip;

ALTER TABLE users DROP COLUMN email_verified_at;
