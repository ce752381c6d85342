-- People who sign in to the web console: staff of an organisation, in one of the API's roles.
--
-- A staff member acts exactly as a client of their organisation and role would, so the role and
-- organisation follow the same rule as clients: every role but admin acts for an organisation.
CREATE TABLE staff (
  id              text PRIMARY KEY,
  organization_id text REFERENCES organizations (id),
  role            text NOT NULL CHECK (role IN ('admin', 'planner', 'partner', 'compliance')),
  name            text NOT NULL,
  email           text NOT NULL,
  password_hash   text NOT NULL,                 -- argon2id, its parameters in the PHC string
  failed_sign_ins integer NOT NULL DEFAULT 0,    -- consecutive failures since the last success
  locked_until    timestamptz,                   -- the back-off after repeated failures
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (role = 'admin' OR organization_id IS NOT NULL)
);
-- One account per address, whatever its case: it is what people type to sign in.
CREATE UNIQUE INDEX staff_email ON staff (lower(email));

-- A signed-in browser. Only a hash of the session id is kept, so a copy of this table (a backup,
-- a replica) signs no one in; the CSRF token is the synchronizer token of the session's forms.
CREATE TABLE staff_sessions (
  id_hash     bytea PRIMARY KEY,
  staff_id    text NOT NULL REFERENCES staff (id),
  csrf_token  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id) WHERE revoked_at IS NULL;
