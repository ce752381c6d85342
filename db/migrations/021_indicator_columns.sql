-- Outcome indicators at scale: what each referral reached, and when, as columns of the referral
-- instead of something every report works out again from the whole timeline. A report for a year
-- at a million referrals read every referral's events (several each); with these columns it reads
-- one index.
--
-- Each column is the hub's clock (`referral_events.created_at`) of the first event that reached it,
-- by the rule in domain/indicator-milestones.ts: acknowledged (received, accepted or rejected),
-- first contact (intake scheduled or attended), and the first event after which the referral stood
-- in progress or completed (connected), completed, rejected, or had breached an SLA timer (the
-- `sla_breached` event, written with the breach row). store/events.ts sets them in the statement
-- that records the event, so in the transaction of the status change. Null: not reached.
ALTER TABLE referrals
  ADD COLUMN acknowledged_at   timestamptz,
  ADD COLUMN first_contact_at  timestamptz,
  ADD COLUMN connected_at      timestamptz,
  ADD COLUMN completed_at      timestamptz,
  ADD COLUMN rejected_at       timestamptz,
  ADD COLUMN sla_breached_at   timestamptz;

-- The referrals recorded before this migration, from their timelines, once.
UPDATE referrals r SET
  acknowledged_at = e.acknowledged_at, first_contact_at = e.first_contact_at, connected_at = e.connected_at,
  completed_at = e.completed_at, rejected_at = e.rejected_at, sla_breached_at = e.sla_breached_at
FROM (
  SELECT referral_id,
    min(created_at) FILTER (WHERE type IN ('received', 'accepted', 'rejected')) AS acknowledged_at,
    min(created_at) FILTER (WHERE type IN ('intake_scheduled', 'attended')) AS first_contact_at,
    min(created_at) FILTER (WHERE status_after IN ('in_progress', 'completed')) AS connected_at,
    min(created_at) FILTER (WHERE status_after = 'completed') AS completed_at,
    min(created_at) FILTER (WHERE status_after = 'rejected') AS rejected_at,
    min(created_at) FILTER (WHERE type = 'sla_breached') AS sla_breached_at
  FROM referral_events GROUP BY referral_id
) e
WHERE e.referral_id = r.id
  AND num_nonnulls(e.acknowledged_at, e.first_contact_at, e.connected_at, e.completed_at, e.rejected_at, e.sla_breached_at) > 0;

-- The report reads the referrals created in [from, to) and, of each, only what it counts: all of
-- it in the index, so PostgreSQL answers from the index alone (an index-only scan) without
-- visiting the wide rows, whose encrypted reason it never needs. It replaces the plain index on
-- created_at that 020 added.
CREATE INDEX referrals_indicators ON referrals (created_at)
  INCLUDE (service, participant_id, partner_id, delivered_at, acknowledged_at, first_contact_at, connected_at, completed_at, rejected_at, sla_breached_at);
DROP INDEX referrals_created;
