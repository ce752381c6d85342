-- Service-level timers (issue 5, reliability 2): a partner's hours to acknowledge and days to first
-- contact, and the breaches the sweep has recorded.

-- {acknowledgeWithinHours?, firstContactWithinDays?} as the API takes it; null: no timers.
ALTER TABLE organizations ADD COLUMN sla jsonb;

-- One row per referral and timer: the primary key is what makes a breach fire once, however many
-- sweeps race or restart. Written in the same transaction as the `sla_breached` timeline event
-- and the outbox row of the referrer's notification, which is built from it at send time.
CREATE TABLE referral_sla_breaches (
  referral_id  text NOT NULL REFERENCES referrals(id),
  kind         text NOT NULL CHECK (kind IN ('acknowledge', 'first_contact')),
  deadline     timestamptz NOT NULL,
  breached_at  timestamptz NOT NULL DEFAULT now(),
  status       text NOT NULL,           -- the referral's status as the referrer may see it, at the breach
  partner_id   text NOT NULL REFERENCES organizations(id),
  message_id   text UNIQUE,             -- webhook-id of the referrer's notification; null: not notified
  PRIMARY KEY (referral_id, kind)
);

-- What the sweep scans every few seconds: delivered referrals whose timers may still run.
CREATE INDEX referrals_sla_open ON referrals (partner_id, delivered_at)
  WHERE delivered_at IS NOT NULL AND status IN ('delivered', 'received', 'accepted', 'in_progress', 'on_hold');

-- 'notify': a message to the referring organisation (an SLA breach); its partner_id is that
-- recipient, whose adapter and secret carry it.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('deliver', 'cancel', 'notify'));
