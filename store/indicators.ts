import type { Sql } from '../db/connect.js';
import { AGE_BANDS } from '../domain/indicator-groups.js';
import type { GroupBy } from '../schemas/indicators.js';
import type { Counts } from '../domain/suppression.js';
import type { Service } from '../schemas/vocabulary.js';

/** One service and group as counted, before anything is withheld. */
export interface CountedGroup {
  service: Service;
  group: string;
  counts: Counts;
  medianHoursToAcknowledge: number | null;
  /** People whose referrals the median is taken over. */
  acknowledgedPeople: number;
  medianDaysToFirstContact: number | null;
  contactedPeople: number;
}

/** The group(s) one referral's participant falls in; fixed SQL per grouping, never built from input. */
function groupOf(sql: Sql, groupBy: GroupBy) {
  switch (groupBy) {
    case 'none':
      return sql`SELECT 'all'::text`;
    case 'gender':
      return sql`SELECT coalesce(r.gender_code, 'undisclosed')`;
    case 'partner':
      return sql`SELECT r.partner_id`;
    case 'age_band':
      // Age in whole years on the (UTC) day of the referral.
      return sql`SELECT b.band FROM unnest(${AGE_BANDS.map((a) => a.band)}::text[], ${AGE_BANDS.map((a) => a.from)}::int[], ${AGE_BANDS.map((a) => a.to)}::int[]) AS b(band, lo, hi)
        WHERE date_part('year', age((r.created_at AT TIME ZONE 'UTC')::date, r.birth_date)) >= b.lo
          AND date_part('year', age((r.created_at AT TIME ZONE 'UTC')::date, r.birth_date)) < b.hi`;
    case 'race':
      // SPD 15 alone or in combination: every category selected, multiracial when more than one.
      return sql`SELECT unnest(r.race_codes)
        UNION ALL SELECT 'multiracial' WHERE cardinality(r.race_codes) > 1
        UNION ALL SELECT 'undisclosed' WHERE cardinality(r.race_codes) = 0`;
  }
}

/**
 * The indicators, counted in one statement: unique participants per service and group among the
 * referrals created in [from, to), and the medians. What a referral reached is read from its
 * timeline (`status_after`), so a referral connected and later put on hold still counts as
 * connected. Times are the hub's clock (`created_at`), as for SLA timers: a partner's
 * `occurredAt` may be back-dated. Selects codes and counts only: no id, name or birth date leaves.
 */
export async function countIndicators(sql: Sql, q: { from: Date; to: Date; groupBy: GroupBy }): Promise<CountedGroup[]> {
  const rows = await sql<{
    service: Service; grp: string; referred: number; connected: number; completed: number; rejected: number; sla_breaches: number;
    median_ack_hours: number | null; ack_people: number; median_contact_days: number | null; contact_people: number;
  }[]>`
    WITH r AS (
      SELECT r.participant_id, r.service, r.partner_id, r.created_at, r.delivered_at, p.race_codes, p.gender_code, p.birth_date,
        ev.connected, ev.completed, ev.rejected, ev.acknowledged_at, ev.first_contact_at,
        EXISTS (SELECT 1 FROM referral_sla_breaches b WHERE b.referral_id = r.id) AS breached
      FROM referrals r
      JOIN participants p ON p.id = r.participant_id
      CROSS JOIN LATERAL (
        SELECT coalesce(bool_or(e.status_after IN ('in_progress', 'completed')), false) AS connected,
          coalesce(bool_or(e.status_after = 'completed'), false) AS completed,
          coalesce(bool_or(e.status_after = 'rejected'), false) AS rejected,
          min(e.created_at) FILTER (WHERE e.type IN ('received', 'accepted', 'rejected')) AS acknowledged_at,
          min(e.created_at) FILTER (WHERE e.type IN ('intake_scheduled', 'attended')) AS first_contact_at
        FROM referral_events e WHERE e.referral_id = r.id
      ) ev
      WHERE r.created_at >= ${q.from} AND r.created_at < ${q.to}
    )
    SELECT r.service, g.grp,
      count(DISTINCT r.participant_id)::int AS referred,
      count(DISTINCT r.participant_id) FILTER (WHERE r.connected)::int AS connected,
      count(DISTINCT r.participant_id) FILTER (WHERE r.completed)::int AS completed,
      count(DISTINCT r.participant_id) FILTER (WHERE r.rejected)::int AS rejected,
      count(DISTINCT r.participant_id) FILTER (WHERE r.breached)::int AS sla_breaches,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.acknowledged_at - r.delivered_at) / 3600)
        FILTER (WHERE r.acknowledged_at IS NOT NULL AND r.delivered_at IS NOT NULL) AS median_ack_hours,
      count(DISTINCT r.participant_id) FILTER (WHERE r.acknowledged_at IS NOT NULL AND r.delivered_at IS NOT NULL)::int AS ack_people,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_contact_at - r.delivered_at) / 86400)
        FILTER (WHERE r.first_contact_at IS NOT NULL AND r.delivered_at IS NOT NULL) AS median_contact_days,
      count(DISTINCT r.participant_id) FILTER (WHERE r.first_contact_at IS NOT NULL AND r.delivered_at IS NOT NULL)::int AS contact_people
    FROM r CROSS JOIN LATERAL (${groupOf(sql, q.groupBy)}) AS g(grp)
    GROUP BY r.service, g.grp`;
  return rows.map((r) => ({
    service: r.service, group: r.grp,
    counts: { referred: r.referred, connected: r.connected, completed: r.completed, rejected: r.rejected, slaBreaches: r.sla_breaches },
    medianHoursToAcknowledge: r.median_ack_hours === null ? null : Number(r.median_ack_hours), acknowledgedPeople: r.ack_people,
    medianDaysToFirstContact: r.median_contact_days === null ? null : Number(r.median_contact_days), contactedPeople: r.contact_people,
  }));
}
