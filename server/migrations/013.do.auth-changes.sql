-- Cached API-key checks (docs/decisions/023): each process keeps what checking a key read (the key,
-- its owner, its team) and forgets all of it on a NOTIFY on 'auth_changed', which these triggers
-- send from every statement that changes any of it. Statement-level: one notification per
-- statement, whatever the rows. api_keys lists its columns so that the once-a-minute last_used_at
-- write does not empty every cache; schema.test.ts checks that every other column is listed.
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
