-- Teams (docs/decisions/021): a team has its own tier and so a monthly token pool, shared by its
-- members, each of whom may have a monthly cap inside it. Calls charged to a team reserve against
-- the pool, the member's share and the key's cap at once (docs/decisions/019); the personal month
-- (monthly_usage) holds only the calls charged to no team.
CREATE TABLE teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  tier text NOT NULL DEFAULT 'free' CHECK (tier IN ('free', 'starter', 'builder', 'advanced')),
  tier_updated_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE team_members (
  team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  -- The member's monthly cap inside the team's pool, set by a team admin; null: the pool only.
  monthly_token_cap bigint CHECK (monthly_token_cap IS NULL OR monthly_token_cap >= 0),
  joined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);
-- Exactly one owner is the service's rule (handing over is one transaction); at most one, the database's.
CREATE UNIQUE INDEX team_members_one_owner ON team_members (team_id) WHERE role = 'owner';

-- An invitation is a signed, expiring link (the signature is over id and expiry, keyed by the
-- server's secret); the row says who may accept it and whether it still can be.
CREATE TABLE team_invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  email text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'member')),
  invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX team_invitations_team_idx ON team_invitations (team_id);

-- A key belongs to one user and optionally one team: its calls are charged to that team.
ALTER TABLE api_keys ADD COLUMN team_id uuid REFERENCES teams (id) ON DELETE CASCADE;

ALTER TABLE usage_records ADD COLUMN team_id uuid;
CREATE INDEX usage_records_team_month_idx ON usage_records (team_id, month) WHERE team_id IS NOT NULL;
ALTER TABLE usage_reservations ADD COLUMN team_id uuid;

-- The team's pool, one row per month, moved like monthly_usage.
CREATE TABLE team_monthly_usage (
  team_id uuid NOT NULL,
  month char(7) NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  input_tokens bigint NOT NULL DEFAULT 0,
  output_tokens bigint NOT NULL DEFAULT 0,
  total_tokens bigint NOT NULL DEFAULT 0,
  reserved_tokens bigint NOT NULL DEFAULT 0 CHECK (reserved_tokens >= 0),
  request_count integer NOT NULL DEFAULT 0,
  cost_nanousd bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, month)
);

-- A member's use of the team's pool, per month. user_id is cleared when the account is deleted
-- (as in monthly_usage, docs/decisions/015), so the row has an id of its own.
CREATE TABLE team_member_monthly_usage (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id uuid NOT NULL,
  user_id uuid,
  month char(7) NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  input_tokens bigint NOT NULL DEFAULT 0,
  output_tokens bigint NOT NULL DEFAULT 0,
  total_tokens bigint NOT NULL DEFAULT 0,
  reserved_tokens bigint NOT NULL DEFAULT 0 CHECK (reserved_tokens >= 0),
  request_count integer NOT NULL DEFAULT 0,
  cost_nanousd bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (team_id, user_id, month)
);

-- A site admin's change of a team's tier is audited like a user's.
ALTER TABLE admin_audit_log ADD COLUMN target_team_id uuid;
