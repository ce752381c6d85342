-- When the audit chain was last walked, by whom, and what was found: so the console can say so
-- without walking a long log on every view (a walk of 130,000 entries takes about a second).
-- A record of checks, not evidence: the chain stays the proof, `GET /v1/audit/verify` and the
-- console's "verify now" walk it in full, and the worker walks it on a timer.
CREATE TABLE audit_verifications (
  id              bigserial PRIMARY KEY,
  at              timestamptz NOT NULL DEFAULT now(),
  by              text NOT NULL,
  valid           boolean NOT NULL,
  entries         bigint NOT NULL,
  first_broken_at bigint,
  head            text
);
