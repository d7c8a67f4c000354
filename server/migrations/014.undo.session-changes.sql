DROP TRIGGER users_sessions_changed ON users;
DROP TRIGGER refresh_tokens_sessions_changed ON refresh_tokens;
DROP FUNCTION notify_sessions_changed();
