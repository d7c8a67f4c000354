DROP TABLE rate_limit_counters;
DROP TABLE monthly_usage;
DROP TABLE usage_records;
DROP TABLE refresh_tokens;
DROP TABLE users;
