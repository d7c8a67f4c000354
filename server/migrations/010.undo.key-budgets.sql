DROP TABLE key_monthly_usage;
ALTER TABLE usage_reservations DROP COLUMN key_id;
DROP INDEX usage_records_key_month_idx;
ALTER TABLE usage_records DROP COLUMN key_id;
ALTER TABLE api_keys DROP COLUMN expires_at, DROP COLUMN monthly_token_cap;
