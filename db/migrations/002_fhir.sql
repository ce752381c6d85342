-- FHIR partners (issue 4): what the Task status poll has applied, and where each partner's poll stands.

-- The last Task version applied per referral: each version is applied once, however often a poll
-- (or a rest-hook notification) reads it again.
CREATE TABLE fhir_task_sync (
  referral_id   text PRIMARY KEY REFERENCES referrals(id),
  partner_id    text NOT NULL REFERENCES organizations(id),
  task_id       text NOT NULL,
  task_version  text NOT NULL,
  task_status   text NOT NULL,            -- the partner's status, as read (for support, not logic)
  changed_at    text NOT NULL,            -- Task.meta.lastUpdated, as the partner wrote it
  applied_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per FHIR partner: the newest Task.meta.lastUpdated read (the next poll starts there,
-- on the partner's clock, never ours) and the last poll's outcome.
CREATE TABLE fhir_poll_state (
  partner_id  text PRIMARY KEY REFERENCES organizations(id),
  cursor      text,
  polled_at   timestamptz,
  last_error  text
);
