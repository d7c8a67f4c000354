DROP TABLE admin_audit_log;
DROP TABLE usage_reservations;
ALTER TABLE monthly_usage DROP COLUMN cost_nanousd, DROP COLUMN reserved_tokens;
DROP TRIGGER usage_records_no_update ON usage_records;
DROP FUNCTION usage_records_immutable();
DROP INDEX usage_records_user_month_idx;
ALTER TABLE usage_records
  DROP CONSTRAINT usage_records_total_check,
  DROP COLUMN outcome,
  DROP COLUMN usage_source,
  DROP COLUMN cost_nanousd,
  DROP COLUMN provider,
  DROP COLUMN message_id,
  DROP COLUMN conversation_id,
  DROP COLUMN month,
  DROP COLUMN request_id;
ALTER TABLE users DROP COLUMN monthly_token_cap;
