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

/**
 * What a grouping needs of each referral itself, before people are counted: the partner, or the
 * age band (age in whole years on the referral's UTC day, which needs the participant's birth date);
 * nothing for groupings of the person alone. Fixed SQL per grouping, never built from input.
 */
function referralKey(sql: Sql, groupBy: GroupBy) {
  switch (groupBy) {
    case 'partner':
      return sql`r.partner_id`;
    case 'age_band':
      return sql`(SELECT b.band FROM unnest(${AGE_BANDS.map((a) => a.band)}::text[], ${AGE_BANDS.map((a) => a.from)}::int[], ${AGE_BANDS.map((a) => a.to)}::int[]) AS b(band, lo, hi)
        WHERE date_part('year', age((r.created_at AT TIME ZONE 'UTC')::date, p.birth_date)) >= b.lo
          AND date_part('year', age((r.created_at AT TIME ZONE 'UTC')::date, p.birth_date)) < b.hi)`;
    default:
      return sql`NULL::text`;
  }
}

/** The group(s) a person (`p`) with a referral key (`per.key`) falls in. */
function groupsOf(sql: Sql, groupBy: GroupBy) {
  switch (groupBy) {
    case 'none':
      return sql`SELECT 'all'::text`;
    case 'gender':
      return sql`SELECT coalesce(p.gender_code, 'undisclosed')`;
    case 'partner':
    case 'age_band':
      return sql`SELECT per.key`;
    case 'race':
      // SPD 15 alone or in combination: every category selected, multiracial when more than one.
      return sql`SELECT DISTINCT unnest(p.race_codes)
        UNION ALL SELECT 'multiracial' WHERE cardinality(p.race_codes) > 1
        UNION ALL SELECT 'undisclosed' WHERE cardinality(p.race_codes) = 0`;
  }
}

/** The median of a float8[] (null when empty): sorted per group here, not across every group's rows. */
const median = (sql: Sql, values: string) => sql`(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM unnest(${sql(values)}) v)`;

/**
 * The indicators, counted in one statement: unique participants per service and group among the
 * referrals created in [from, to), and the medians. What a referral reached is its milestone
 * columns (domain/indicator-milestones.ts, set as each event is recorded), read with everything
 * else counted from one covering index on `created_at` (migration 021), never from the timeline;
 * a referral connected and later put on hold still counts as connected. Times are the hub's clock,
 * as for SLA timers: a partner's `occurredAt` may be back-dated. Selects codes and counts only: no
 * id, name or birth date leaves.
 *
 * Shaped for a year at a million referrals: first one row per service, person (and referral key),
 * with what any of their referrals reached and the durations the medians take, so that only those
 * rows (about one per person) are joined to people, grouped and counted; a median sorts only its
 * own group's values.
 */
export async function countIndicators(sql: Sql, q: { from: Date; to: Date; groupBy: GroupBy }): Promise<CountedGroup[]> {
  return transaction(sql, async (tx) => {
    // About a million rows go through sorts and hashes: in memory, not temporary files (the default
    // is 4 MB each), and not JIT-compiled (which costs seconds here and saves nothing). This
    // transaction only.
    await tx`SET LOCAL work_mem = '64MB'`;
    await tx`SET LOCAL jit = off`;
    const rows = await tx<{
      service: Service; grp: string; referred: number; connected: number; completed: number; rejected: number; sla_breaches: number;
      median_ack_hours: number | null; ack_people: number; median_contact_days: number | null; contact_people: number;
    }[]>`
    WITH per AS (
      SELECT r.service, r.participant_id, ${referralKey(tx, q.groupBy)} AS key,
        bool_or(r.connected_at IS NOT NULL) AS connected, bool_or(r.completed_at IS NOT NULL) AS completed,
        bool_or(r.rejected_at IS NOT NULL) AS rejected, bool_or(r.sla_breached_at IS NOT NULL) AS breached,
        array_agg(extract(epoch FROM r.acknowledged_at - r.delivered_at)::float8 / 3600)
          FILTER (WHERE r.acknowledged_at IS NOT NULL AND r.delivered_at IS NOT NULL) AS ack_hours,
        array_agg(extract(epoch FROM r.first_contact_at - r.delivered_at)::float8 / 86400)
          FILTER (WHERE r.first_contact_at IS NOT NULL AND r.delivered_at IS NOT NULL) AS contact_days
      FROM referrals r ${q.groupBy === 'age_band' ? tx`JOIN participants p ON p.id = r.participant_id` : tx``}
      WHERE r.created_at >= ${q.from} AND r.created_at < ${q.to}
      GROUP BY 1, 2, 3
    ), grouped AS (
      SELECT per.*, g.grp FROM per JOIN participants p ON p.id = per.participant_id
      CROSS JOIN LATERAL (${groupsOf(tx, q.groupBy)}) AS g(grp)
    ), counts AS (
      -- One grouped row per person and group (a person's race groups are distinct), so people are rows.
      SELECT service, grp, count(*)::int AS referred,
        count(*) FILTER (WHERE connected)::int AS connected, count(*) FILTER (WHERE completed)::int AS completed,
        count(*) FILTER (WHERE rejected)::int AS rejected, count(*) FILTER (WHERE breached)::int AS sla_breaches,
        count(*) FILTER (WHERE ack_hours IS NOT NULL)::int AS ack_people, count(*) FILTER (WHERE contact_days IS NOT NULL)::int AS contact_people
      FROM grouped GROUP BY service, grp
    ), acknowledged AS (
      SELECT service, grp, array_agg(h) AS hours FROM grouped CROSS JOIN LATERAL unnest(ack_hours) AS h GROUP BY service, grp
    ), contacted AS (
      SELECT service, grp, array_agg(d) AS days FROM grouped CROSS JOIN LATERAL unnest(contact_days) AS d GROUP BY service, grp
    )
    SELECT c.*, ${median(tx, 'hours')} AS median_ack_hours, ${median(tx, 'days')} AS median_contact_days
    FROM counts c LEFT JOIN acknowledged USING (service, grp) LEFT JOIN contacted USING (service, grp)`;
    return rows;
  }).then((rows) => rows.map((r) => ({
    service: r.service, group: r.grp,
    counts: { referred: r.referred, connected: r.connected, completed: r.completed, rejected: r.rejected, slaBreaches: r.sla_breaches },
    medianHoursToAcknowledge: r.median_ack_hours === null ? null : Number(r.median_ack_hours), acknowledgedPeople: r.ack_people,
    medianDaysToFirstContact: r.median_contact_days === null ? null : Number(r.median_contact_days), contactedPeople: r.contact_people,
  })));
}
