-- Outcome indicators (issue 18): targets per service and period, and the demographic codes the
-- indicators report groups participants by.

-- The report aggregates in SQL, so the codes it groups by are columns: race and ethnicity codes
-- (SPD 15: one combined question, several selections) and the gender code. Codes only, never a
-- name or an identifier; the birth date was already in the clear. New participants get them at
-- enrolment. Participants enrolled before this migration have them only inside the encrypted
-- record, which SQL cannot read: `report_codes_filled` is false for them, and the worker fills
-- them once after start-up with the hub's data key (services/report-codes.ts).
ALTER TABLE participants ADD COLUMN race_codes text[] NOT NULL DEFAULT '{}';
ALTER TABLE participants ADD COLUMN gender_code text;
ALTER TABLE participants ADD COLUMN report_codes_filled boolean NOT NULL DEFAULT false;
CREATE INDEX participants_report_codes_unfilled ON participants (id) WHERE NOT report_codes_filled;

-- A report covers the referrals created in [from, to).
CREATE INDEX referrals_created ON referrals (created_at);

-- A baseline and a target of people connected to a service in a period [period_start, period_end).
CREATE TABLE targets (
  id           text PRIMARY KEY,
  service      text NOT NULL,
  period_start date NOT NULL,
  period_end   date NOT NULL CHECK (period_end > period_start),
  baseline     double precision NOT NULL CHECK (baseline >= 0),
  target       double precision NOT NULL CHECK (target >= 0),
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (service, period_start, period_end)
);
CREATE INDEX targets_newest ON targets (created_at DESC, id DESC);
