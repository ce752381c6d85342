-- The hub's schema. Postgres is the source of truth; Redis only carries jobs.

CREATE TABLE organizations (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  kind          text NOT NULL,
  part2_program boolean NOT NULL DEFAULT false,
  adapter       jsonb NOT NULL,           -- adapter config without secrets
  secret_jwe    text,                     -- webhook secret, encrypted with a data key
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE clients (
  client_id       text PRIMARY KEY,
  organization_id text NOT NULL REFERENCES organizations(id),
  role            text NOT NULL,
  jwks            jsonb,
  jwks_uri        text,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- Seen client-assertion ids, kept until the assertion expires (replay protection lives in
-- Postgres so that a Redis flush cannot reopen it).
CREATE TABLE used_assertions (
  client_id  text NOT NULL,
  jti        text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX used_assertions_expiry ON used_assertions (expires_at);

CREATE TABLE participants (
  id              text PRIMARY KEY,
  organization_id text NOT NULL REFERENCES organizations(id),
  external_id     text,
  birth_date      date NOT NULL,
  record_jwe      text NOT NULL,          -- name, gender, race, guardians: encrypted
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX participants_org ON participants (organization_id, created_at DESC, id DESC);

CREATE TABLE referrals (
  id                 text PRIMARY KEY,
  participant_id     text NOT NULL REFERENCES participants(id),
  referrer_org_id    text NOT NULL REFERENCES organizations(id),
  partner_id         text NOT NULL REFERENCES organizations(id),
  service            text NOT NULL,
  purpose            text NOT NULL,
  priority           text NOT NULL,
  reason_jwe         text NOT NULL,
  status             text NOT NULL,
  status_before_hold text,
  delivered_at       timestamptz,
  last_error         text,
  created_by         text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referrals_referrer ON referrals (referrer_org_id, created_at DESC, id DESC);
CREATE INDEX referrals_partner ON referrals (partner_id, created_at DESC, id DESC) WHERE delivered_at IS NOT NULL;
CREATE INDEX referrals_participant ON referrals (participant_id, status);

-- One row per case-file section or note, each encrypted on its own so that projection can
-- decrypt only what a partner may see.
CREATE TABLE case_file_entries (
  referral_id text NOT NULL REFERENCES referrals(id),
  ordinal     int NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('section', 'note')),
  category    text NOT NULL,
  content_jwe text NOT NULL,
  PRIMARY KEY (referral_id, ordinal)
);

CREATE TABLE referral_events (
  id             text PRIMARY KEY,
  referral_id    text NOT NULL REFERENCES referrals(id),
  seq            bigserial,
  type           text NOT NULL,
  occurred_at    timestamptz NOT NULL,
  by_org_id      text,                    -- null: the hub itself
  by_client_id   text,
  reason_jwe     text,                    -- a rejection reason can say as much as a note
  appointment_at timestamptz,
  note_category  text,
  note_jwe       text,
  status_after   text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, seq);

-- Transactional outbox: written in the same transaction as the change it announces.
-- Retry scheduling lives here, not in Redis, so losing Redis loses no attempt count.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  referral_id  text NOT NULL REFERENCES referrals(id),
  kind         text NOT NULL CHECK (kind IN ('deliver', 'cancel')),
  message_id   text NOT NULL,             -- webhook-id: the same on every retry and replay
  partner_id   text NOT NULL,
  attempts     int NOT NULL DEFAULT 0,
  available_at timestamptz NOT NULL DEFAULT now(),
  relayed_at   timestamptz,
  locked_until timestamptz,
  done_at      timestamptz,
  outcome      text,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_pending ON outbox (available_at) WHERE done_at IS NULL;

CREATE TABLE delivery_attempts (
  id          bigserial PRIMARY KEY,
  outbox_id   bigint NOT NULL REFERENCES outbox(id),
  referral_id text NOT NULL,
  attempt     int NOT NULL,
  outcome     text NOT NULL,
  detail      text,
  at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE consents (
  id              text PRIMARY KEY,
  participant_id  text NOT NULL REFERENCES participants(id),
  basis           text NOT NULL,
  status          text NOT NULL,
  period_start    timestamptz NOT NULL,
  period_end      timestamptz,
  signatures      jsonb NOT NULL DEFAULT '[]', -- who signed (roles, times, methods); names apart:
  signer_names_jwe text,                         -- the signers' names, encrypted, in the same order
  document_ref    text,
  provision       jsonb NOT NULL,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz,
  revoke_reason_jwe text
);
CREATE INDEX consents_participant ON consents (participant_id, created_at DESC);

-- Accounting of disclosures (HIPAA 164.528, 42 CFR Part 2): retained, never updated.
CREATE TABLE disclosures (
  id                text PRIMARY KEY,
  at                timestamptz NOT NULL DEFAULT now(),
  participant_id    text NOT NULL,
  recipient_org_id  text NOT NULL,
  referral_id       text,
  categories        text[] NOT NULL,
  purpose           text NOT NULL,
  basis_ids         text[] NOT NULL,
  channel           text NOT NULL CHECK (channel IN ('delivery', 'read', 'status'))
);
CREATE INDEX disclosures_participant ON disclosures (participant_id, at DESC);

CREATE TABLE idempotency_keys (
  client_id     text NOT NULL,
  key           text NOT NULL,
  request_hash  text NOT NULL,
  state         text NOT NULL CHECK (state IN ('in_flight', 'done')),
  response_status int,
  response_body jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, key)
);

-- Append-only, hash-chained audit log. The chain is computed in the database under a lock so
-- that concurrent writers cannot fork it.
CREATE TABLE audit_log (
  seq        bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text NOT NULL,
  action     text NOT NULL,
  subject    text,
  detail     jsonb NOT NULL DEFAULT '{}',
  prev_hash  text NOT NULL,
  hash       text NOT NULL
);

CREATE FUNCTION audit_hash(prev text, seq bigint, at timestamptz, actor text, action text, subject text, detail jsonb)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(
    prev || '|' || seq || '|' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '|' ||
    actor || '|' || action || '|' || coalesce(subject, '') || '|' || detail::text, 'UTF8')), 'hex')
$$;

CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last_hash text;
BEGIN
  -- The lock is held to commit, so sequence order is commit order and the chain cannot fork.
  PERFORM pg_advisory_xact_lock(7262001);
  NEW.seq := nextval(pg_get_serial_sequence('audit_log', 'seq'));
  SELECT hash INTO last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
  NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
  NEW.hash := audit_hash(NEW.prev_hash, NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.subject, NEW.detail);
  RETURN NEW;
END $$;
CREATE TRIGGER audit_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_chain();

CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER disclosures_append_only BEFORE UPDATE OR DELETE ON disclosures FOR EACH ROW EXECUTE FUNCTION append_only();

-- How many times a row was handed to the queue: part of the job id, so a row whose job failed or
-- vanished can be handed over again under a fresh id.
ALTER TABLE outbox ADD COLUMN relays int NOT NULL DEFAULT 0;
