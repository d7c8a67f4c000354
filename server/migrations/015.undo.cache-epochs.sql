DROP TRIGGER api_keys_auth_epoch_truncate ON api_keys;
DROP TRIGGER api_keys_auth_epoch ON api_keys;
DROP TRIGGER users_epochs_truncate ON users;
DROP TRIGGER users_epochs ON users;
DROP TRIGGER teams_auth_epoch_truncate ON teams;
DROP TRIGGER teams_auth_epoch ON teams;
DROP TRIGGER team_members_auth_epoch_truncate ON team_members;
DROP TRIGGER team_members_auth_epoch ON team_members;
DROP TRIGGER refresh_tokens_sessions_epoch_truncate ON refresh_tokens;
DROP TRIGGER refresh_tokens_sessions_epoch ON refresh_tokens;
DROP FUNCTION bump_cache_epochs();
DROP TABLE cache_epochs;
CREATE FUNCTION notify_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The transaction's id makes each change's payload its own: a process hears it on several
  -- connections and acts on the first.
  PERFORM pg_notify('auth_changed', TG_TABLE_NAME || ':' || txid_current());
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_auth_changed
  AFTER UPDATE OF id, user_id, name, prefix, key_hash, created_at, revoked_at, expires_at, monthly_token_cap, team_id OR DELETE OR TRUNCATE
  ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER users_auth_changed AFTER UPDATE OR DELETE OR TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER teams_auth_changed AFTER UPDATE OR DELETE OR TRUNCATE ON teams FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER team_members_auth_changed AFTER UPDATE OR DELETE OR TRUNCATE ON team_members FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();
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
