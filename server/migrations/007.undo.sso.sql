DROP TABLE sso_identities;
