-- Single sign-on (docs/decisions/016): the identity an OpenID Connect provider vouches for, as its
-- issuer and subject (the pair OIDC names unique and stable; an email can change), and its account.
CREATE TABLE sso_identities (
  issuer text NOT NULL CHECK (char_length(issuer) <= 2048),
  subject text NOT NULL CHECK (char_length(subject) <= 255),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- The email the provider gave at the last sign-in, for an operator reading the table.
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX sso_identities_user_idx ON sso_identities (user_id);
