import { transaction, type Sql } from '../db/connect.js';
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
 * referrals created in [from, to), and the medians. What a referral reached is its milestone
 * columns (domain/indicator-milestones.ts, kept as each event is recorded), read with the rest of
 * what is counted from one index over `created_at` (migration 021), never from the timeline; so a
 * referral connected and later put on hold still counts as connected. Times are the hub's clock,
 * as for SLA timers: a partner's `occurredAt` may be back-dated. Selects codes and counts only: no
 * id, name or birth date leaves.
 *
 * People are counted in two steps rather than with `count(DISTINCT …)`, which sorts each of its
 * inputs apart: first one row per service, group and participant (what any of their referrals
 * reached), then those rows counted. The medians are over referrals, from the same referral rows.
 */
export async function countIndicators(sql: Sql, q: { from: Date; to: Date; groupBy: GroupBy }): Promise<CountedGroup[]> {
  return transaction(sql, async (tx) => {
    // A year at a million referrals groups about a million rows: in memory, not in temporary files
    // (PostgreSQL's default is 4 MB per sort or hash). For this statement's transaction only.
    await tx`SET LOCAL work_mem = '64MB'`;
    const rows = await tx<{
      service: Service; grp: string; referred: number; connected: number; completed: number; rejected: number; sla_breaches: number;
      median_ack_hours: number | null; ack_people: number; median_contact_days: number | null; contact_people: number;
    }[]>`
    WITH r AS (
      SELECT r.participant_id, r.service, r.partner_id, r.created_at, p.race_codes, p.gender_code, p.birth_date,
        r.connected_at IS NOT NULL AS connected, r.completed_at IS NOT NULL AS completed, r.rejected_at IS NOT NULL AS rejected,
        r.sla_breached_at IS NOT NULL AS breached,
        extract(epoch FROM r.acknowledged_at - r.delivered_at) / 3600 AS ack_hours,
        extract(epoch FROM r.first_contact_at - r.delivered_at) / 86400 AS contact_days
      FROM referrals r
      JOIN participants p ON p.id = r.participant_id
      WHERE r.created_at >= ${q.from} AND r.created_at < ${q.to}
    ), grouped AS (
      SELECT r.*, g.grp FROM r CROSS JOIN LATERAL (${groupOf(tx, q.groupBy)}) AS g(grp)
    ), people AS (
      SELECT service, grp, bool_or(connected) AS connected, bool_or(completed) AS completed, bool_or(rejected) AS rejected,
        bool_or(breached) AS breached, bool_or(ack_hours IS NOT NULL) AS acknowledged, bool_or(contact_days IS NOT NULL) AS contacted
      FROM grouped GROUP BY service, grp, participant_id
    ), counts AS (
      SELECT service, grp, count(*)::int AS referred,
        count(*) FILTER (WHERE connected)::int AS connected, count(*) FILTER (WHERE completed)::int AS completed,
        count(*) FILTER (WHERE rejected)::int AS rejected, count(*) FILTER (WHERE breached)::int AS sla_breaches,
        count(*) FILTER (WHERE acknowledged)::int AS ack_people, count(*) FILTER (WHERE contacted)::int AS contact_people
      FROM people GROUP BY service, grp
    ), medians AS (
      -- percentile_cont leaves out nulls: referrals not acknowledged (or contacted), or never delivered.
      SELECT service, grp,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY ack_hours) AS median_ack_hours,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY contact_days) AS median_contact_days
      FROM grouped GROUP BY service, grp
    )
    SELECT c.*, m.median_ack_hours, m.median_contact_days FROM counts c JOIN medians m USING (service, grp)`;
    return rows;
  }).then((rows) => rows.map((r) => ({
    service: r.service, group: r.grp,
    counts: { referred: r.referred, connected: r.connected, completed: r.completed, rejected: r.rejected, slaBreaches: r.sla_breaches },
    medianHoursToAcknowledge: r.median_ack_hours === null ? null : Number(r.median_ack_hours), acknowledgedPeople: r.ack_people,
    medianDaysToFirstContact: r.median_contact_days === null ? null : Number(r.median_contact_days), contactedPeople: r.contact_people,
  })));
}
