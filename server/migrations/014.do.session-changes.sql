-- Cached session checks (docs/decisions/023): each process keeps the account of a live session
-- (refresh-token family) it checked and forgets all of them on a NOTIFY on 'sessions_changed',
-- sent by every statement that changes a refresh token (a rotation, a logout, an end of all
-- sessions) or an account. A channel of its own: rotations are frequent, and need not empty the
-- caches of API keys.
CREATE FUNCTION notify_sessions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('sessions_changed', TG_TABLE_NAME || ':' || txid_current());
  RETURN NULL;
END
$$;

CREATE TRIGGER refresh_tokens_sessions_changed AFTER UPDATE OR DELETE OR TRUNCATE ON refresh_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_changed();
CREATE TRIGGER users_sessions_changed AFTER UPDATE OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION notify_sessions_changed();
