-- Cached key and session checks (docs/decisions/023), exact across processes: instead of a NOTIFY,
-- whose delivery to another process is not bounded, each change bumps a counter in the same
-- transaction, and every request reads the counter (one statement, shared by the requests that
-- arrive together) and serves a cached check only if it was read under the same count. So a change
-- committed before a request began binds that request, on any process.
DROP TRIGGER team_members_auth_changed ON team_members;
DROP TRIGGER teams_auth_changed ON teams;
DROP TRIGGER users_auth_changed ON users;
DROP TRIGGER api_keys_auth_changed ON api_keys;
DROP FUNCTION notify_auth_changed();
DROP TRIGGER users_sessions_changed ON users;
DROP TRIGGER refresh_tokens_sessions_changed ON refresh_tokens;
DROP FUNCTION notify_sessions_changed();

-- 'auth': what checking an API key reads (api_keys, users, teams, team_members). 'sessions': what
-- checking a session reads (refresh_tokens, users); a count of its own, as rotations are frequent.
CREATE TABLE cache_epochs (
  name text PRIMARY KEY,
  n bigint NOT NULL DEFAULT 0,
  -- The last transaction that bumped it: a transaction bumps each count once, however many rows.
  last_xact xid8
);
INSERT INTO cache_epochs (name) VALUES ('auth'), ('sessions');

CREATE FUNCTION bump_cache_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE cache_epochs SET n = n + 1, last_xact = pg_current_xact_id()
    WHERE name = ANY (TG_ARGV) AND last_xact IS DISTINCT FROM pg_current_xact_id();
  RETURN NULL;
END
$$;

-- Deferred to the commit: the counter's row lock is then the transaction's last, taken when it waits
-- for nothing else, so two transactions cannot deadlock over it. Inserts change no cached check
-- (an unknown key or session is never kept). api_keys lists its columns so that the once-a-minute
-- last_used_at write does not empty every cache; schema.test.ts checks that every other is listed.
CREATE CONSTRAINT TRIGGER api_keys_auth_epoch
  AFTER UPDATE OF id, user_id, name, prefix, key_hash, created_at, revoked_at, expires_at, monthly_token_cap, team_id OR DELETE
  ON api_keys DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_epochs('auth');
CREATE CONSTRAINT TRIGGER users_epochs AFTER UPDATE OR DELETE ON users
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_epochs('auth', 'sessions');
CREATE CONSTRAINT TRIGGER teams_auth_epoch AFTER UPDATE OR DELETE ON teams
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_epochs('auth');
CREATE CONSTRAINT TRIGGER team_members_auth_epoch AFTER UPDATE OR DELETE ON team_members
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_epochs('auth');
CREATE CONSTRAINT TRIGGER refresh_tokens_sessions_epoch AFTER UPDATE OR DELETE ON refresh_tokens
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_cache_epochs('sessions');
-- TRUNCATE has no row triggers (and none deferred); it is rare enough to bump at once.
CREATE TRIGGER api_keys_auth_epoch_truncate AFTER TRUNCATE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_epochs('auth');
CREATE TRIGGER users_epochs_truncate AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_epochs('auth', 'sessions');
CREATE TRIGGER teams_auth_epoch_truncate AFTER TRUNCATE ON teams FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_epochs('auth');
CREATE TRIGGER team_members_auth_epoch_truncate AFTER TRUNCATE ON team_members FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_epochs('auth');
CREATE TRIGGER refresh_tokens_sessions_epoch_truncate AFTER TRUNCATE ON refresh_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_epochs('sessions');
