DROP TRIGGER team_members_auth_changed ON team_members;
DROP TRIGGER teams_auth_changed ON teams;
DROP TRIGGER users_auth_changed ON users;
DROP TRIGGER api_keys_auth_changed ON api_keys;
DROP FUNCTION notify_auth_changed();
