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
      // The band whose lower bound is the last at or below the age (bands are contiguous from 0),
      // the age worked out once per referral; below 0 (a birth date after the referral) none.
      return sql`(${AGE_BANDS.map((a) => a.band)}::text[])[width_bucket(
        date_part('year', age((r.created_at AT TIME ZONE 'UTC')::date, p.birth_date))::int, ${AGE_BANDS.map((a) => a.from)}::int[])]`;
    default:
      return sql`NULL::text`;
  }
}

/**
 * The groups a referral or person falls in, as an array to unnest: the person's (`p`) race
 * categories or gender, or the referral's `key`. Race follows SPD 15 alone or in combination:
 * every category selected, and multiracial when more than one. A participant's race codes are
 * distinct as recorded (domain/indicator-groups.ts `reportCodes` writes them), so each group
 * comes once.
 */
function groupsOf(sql: Sql, groupBy: GroupBy, key: ReturnType<typeof referralKey>) {
  switch (groupBy) {
    case 'none':
      return sql`ARRAY['all']::text[]`;
    case 'gender':
      return sql`ARRAY[coalesce(p.gender_code, 'undisclosed')]`;
    case 'partner':
    case 'age_band':
      return sql`ARRAY[${key}]`;
    case 'race':
      return sql`CASE WHEN cardinality(p.race_codes) > 1 THEN p.race_codes || 'multiracial'::text
        WHEN cardinality(p.race_codes) = 0 THEN ARRAY['undisclosed'] ELSE p.race_codes END`;
  }
}

/** Whether a grouping's groups are the person's (so the counting joins participants). */
const groupsArePersons = (groupBy: GroupBy) => groupBy === 'race' || groupBy === 'gender';

/**
 * Runs a report's statement in a transaction of its own: about a million rows go through sorts and
 * hashes, in memory, not temporary files (the default is 4 MB each), and not JIT-compiled (which
 * costs seconds here and saves nothing). This transaction only.
 */
function reportTransaction<T>(sql: Sql, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return transaction(sql, async (tx) => {
    await tx`SET LOCAL work_mem = '64MB'`;
    await tx`SET LOCAL jit = off`;
    return fn(tx);
  });
}

/** The median of a float8[] (null when empty): sorted per group here, not across every group's rows. */
const median = (sql: Sql, values: string) => sql`(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM unnest(${sql(values)}) v)`;

/**
 * The indicators, counted in one statement: unique participants per service and group among the
 * referrals created in [from, to), and the medians. What a referral reached is its milestone
 * columns (domain/indicator-milestones.ts, set as each event is recorded), read with everything
 * else counted from the referrals and their covering index on `created_at` (migration 021),
 * never from the timeline; a referral connected and later put on hold still counts as connected.
 * Times are the hub's clock, as for SLA timers: a partner's `occurredAt` may be back-dated.
 * Selects codes and counts only: no id, name or birth date leaves.
 *
 * Shaped for a year at a million referrals, in two halves PostgreSQL can each split across
 * parallel workers. People: one row per service, person (and referral key) with what any of their
 * referrals reached, flags only, so that only those rows (about one per person) are joined to
 * people, grouped and counted. Medians: every referral's durations in each of its groups,
 * collected per group, so that a median sorts only its own group's values. (Collecting each
 * person's durations with their flags, as this did before, kept PostgreSQL from splitting the
 * count and sorted every referral by person: a year by race at a million referrals took
 * 2.3–2.5 s, now 1.4–1.5 s.)
 */
export async function countIndicators(sql: Sql, q: { from: Date; to: Date; groupBy: GroupBy }): Promise<CountedGroup[]> {
  return reportTransaction(sql, async (tx) => {
    const key = referralKey(tx, q.groupBy);
    const withParticipant = (needed: boolean, to: string) => (needed ? tx`JOIN participants p ON p.id = ${tx(to)}` : tx``);
    const inRange = tx`r.created_at >= ${q.from} AND r.created_at < ${q.to}`;
    const rows = await tx<{
      service: Service; grp: string; referred: number; connected: number; completed: number; rejected: number; sla_breaches: number;
      median_ack_hours: number | null; ack_people: number; median_contact_days: number | null; contact_people: number;
    }[]>`
    WITH per AS (
      SELECT r.service, r.participant_id, ${key} AS key,
        bool_or(r.connected_at IS NOT NULL) AS connected, bool_or(r.completed_at IS NOT NULL) AS completed,
        bool_or(r.rejected_at IS NOT NULL) AS rejected, bool_or(r.sla_breached_at IS NOT NULL) AS breached,
        bool_or(r.acknowledged_at IS NOT NULL AND r.delivered_at IS NOT NULL) AS acknowledged,
        bool_or(r.first_contact_at IS NOT NULL AND r.delivered_at IS NOT NULL) AS contacted
      FROM referrals r ${withParticipant(q.groupBy === 'age_band', 'r.participant_id')}
      WHERE ${inRange}
      GROUP BY 1, 2, 3
    ), grouped AS (
      SELECT per.*, unnest(${groupsOf(tx, q.groupBy, tx`per.key`)}) AS grp
      FROM per ${withParticipant(groupsArePersons(q.groupBy), 'per.participant_id')}
    ), counts AS (
      -- One grouped row per person and group (a person's groups are distinct), so people are rows.
      SELECT service, grp, count(*)::int AS referred,
        count(*) FILTER (WHERE connected)::int AS connected, count(*) FILTER (WHERE completed)::int AS completed,
        count(*) FILTER (WHERE rejected)::int AS rejected, count(*) FILTER (WHERE breached)::int AS sla_breaches,
        count(*) FILTER (WHERE acknowledged)::int AS ack_people, count(*) FILTER (WHERE contacted)::int AS contact_people
      FROM grouped GROUP BY service, grp
    ), durations AS (
      SELECT r.service, unnest(${groupsOf(tx, q.groupBy, key)}) AS grp,
        extract(epoch FROM r.acknowledged_at - r.delivered_at)::float8 / 3600 AS ack_hours,
        extract(epoch FROM r.first_contact_at - r.delivered_at)::float8 / 86400 AS contact_days
      FROM referrals r ${withParticipant(groupsArePersons(q.groupBy) || q.groupBy === 'age_band', 'r.participant_id')}
      WHERE ${inRange} AND r.delivered_at IS NOT NULL AND (r.acknowledged_at IS NOT NULL OR r.first_contact_at IS NOT NULL)
    ), collected AS (
      SELECT service, grp, array_agg(ack_hours) FILTER (WHERE ack_hours IS NOT NULL) AS hours,
        array_agg(contact_days) FILTER (WHERE contact_days IS NOT NULL) AS days
      FROM durations GROUP BY service, grp
    )
    SELECT c.*, ${median(tx, 'hours')} AS median_ack_hours, ${median(tx, 'days')} AS median_contact_days
    FROM counts c LEFT JOIN collected USING (service, grp)`;
    return rows;
  }).then((rows) => rows.map((r) => ({
    service: r.service, group: r.grp,
    counts: { referred: r.referred, connected: r.connected, completed: r.completed, rejected: r.rejected, slaBreaches: r.sla_breaches },
    medianHoursToAcknowledge: r.median_ack_hours === null ? null : Number(r.median_ack_hours), acknowledgedPeople: r.ack_people,
    medianDaysToFirstContact: r.median_contact_days === null ? null : Number(r.median_contact_days), contactedPeople: r.contact_people,
  })));
}

/** One service in one month of a series, ungrouped, before anything is withheld. */
export interface CountedMonth {
  service: Service;
  /** Index into the series' month starts. */
  month: number;
  /** As `countIndicators` counts the month alone. */
  counts: Counts;
  /** As `countIndicators` counts the range from the first month's start through this month's end. */
  soFar: Counts;
}

/**
 * The ungrouped counts of consecutive months and their running totals, in one statement. Month k
 * runs from `starts[k]` to `starts[k + 1]` (the last one to `to`); its running total from
 * `starts[0]` to its end. Every service with a referral in the range has a row for every month.
 *
 * Counted as `countIndicators` counts each range, so the figures are the same: one row per
 * service, person and month with what any of their referrals that month reached gives each month's
 * unique people; a person is in a running total from the first month in which any referral of
 * theirs counts for a field, so the running totals are cumulative sums of the people first counted
 * each month. The referrals are read once, however many months: counting each month and each
 * running total on its own read the range's early months again for every later month.
 */
export async function countIndicatorsByMonth(sql: Sql, q: { starts: Date[]; to: Date }): Promise<CountedMonth[]> {
  if (q.starts.length === 0) return [];
  const starts = q.starts.map((d) => d.toISOString());
  const rows = await reportTransaction(sql, (tx) => tx<{
    service: Service; month: number;
    referred: number; connected: number; completed: number; rejected: number; sla_breaches: number;
    referred_so_far: number; connected_so_far: number; completed_so_far: number; rejected_so_far: number; sla_breaches_so_far: number;
  }[]>`
    WITH per AS (
      -- width_bucket: the index (from 1) of the last month start at or before the referral's.
      SELECT r.service, r.participant_id, width_bucket(r.created_at, ${starts}::timestamptz[]) AS month,
        bool_or(r.connected_at IS NOT NULL) AS connected, bool_or(r.completed_at IS NOT NULL) AS completed,
        bool_or(r.rejected_at IS NOT NULL) AS rejected, bool_or(r.sla_breached_at IS NOT NULL) AS breached
      FROM referrals r
      WHERE r.created_at >= ${q.starts[0]!} AND r.created_at < ${q.to}
      GROUP BY 1, 2, 3
    ), monthly AS (
      SELECT service, month, count(*)::int AS referred,
        count(*) FILTER (WHERE connected)::int AS connected, count(*) FILTER (WHERE completed)::int AS completed,
        count(*) FILTER (WHERE rejected)::int AS rejected, count(*) FILTER (WHERE breached)::int AS sla_breaches
      FROM per GROUP BY service, month
    ), first AS (
      -- Each person's first month per field: from then on they are in the running total.
      SELECT service, min(month) AS referred,
        min(month) FILTER (WHERE connected) AS connected, min(month) FILTER (WHERE completed) AS completed,
        min(month) FILTER (WHERE rejected) AS rejected, min(month) FILTER (WHERE breached) AS breached
      FROM per GROUP BY service, participant_id
    ), newly AS (
      SELECT service, month, count(*) FILTER (WHERE field = 'referred') AS referred,
        count(*) FILTER (WHERE field = 'connected') AS connected, count(*) FILTER (WHERE field = 'completed') AS completed,
        count(*) FILTER (WHERE field = 'rejected') AS rejected, count(*) FILTER (WHERE field = 'breached') AS breached
      FROM first CROSS JOIN LATERAL (VALUES ('referred', first.referred), ('connected', first.connected),
        ('completed', first.completed), ('rejected', first.rejected), ('breached', first.breached)) AS v(field, month)
      WHERE month IS NOT NULL GROUP BY service, month
    )
    SELECT s.service, m.month - 1 AS month,
      coalesce(mo.referred, 0) AS referred, coalesce(mo.connected, 0) AS connected, coalesce(mo.completed, 0) AS completed,
      coalesce(mo.rejected, 0) AS rejected, coalesce(mo.sla_breaches, 0) AS sla_breaches,
      (sum(coalesce(n.referred, 0)) OVER so_far)::int AS referred_so_far, (sum(coalesce(n.connected, 0)) OVER so_far)::int AS connected_so_far,
      (sum(coalesce(n.completed, 0)) OVER so_far)::int AS completed_so_far, (sum(coalesce(n.rejected, 0)) OVER so_far)::int AS rejected_so_far,
      (sum(coalesce(n.breached, 0)) OVER so_far)::int AS sla_breaches_so_far
    FROM (SELECT DISTINCT service FROM per) s CROSS JOIN generate_series(1, ${starts.length}::int) AS m(month)
    LEFT JOIN monthly mo ON mo.service = s.service AND mo.month = m.month
    LEFT JOIN newly n ON n.service = s.service AND n.month = m.month
    WINDOW so_far AS (PARTITION BY s.service ORDER BY m.month)
    ORDER BY s.service, m.month`);
  return rows.map((r) => ({
    service: r.service, month: r.month,
    counts: { referred: r.referred, connected: r.connected, completed: r.completed, rejected: r.rejected, slaBreaches: r.sla_breaches },
    soFar: { referred: r.referred_so_far, connected: r.connected_so_far, completed: r.completed_so_far, rejected: r.rejected_so_far, slaBreaches: r.sla_breaches_so_far },
  }));
}
