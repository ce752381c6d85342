import type { Caller } from '../domain/caller.js';
import { publishableRunningTotals } from '../domain/series-suppression.js';
import { COUNT_FIELDS, publish, suppressCells, type CountField, type Counts } from '../domain/suppression.js';
import { badRequest } from '../lib/errors.js';
import type { IndicatorRow, IndicatorsReport } from '../schemas/indicators.js';
import type { Service } from '../schemas/vocabulary.js';
import { appendAudit } from '../store/audit.js';
import { countIndicatorsByMonth } from '../store/indicators.js';
import { buildReport } from './indicators.js';
import type { Hub } from './hub.js';

/** Two grant years is plenty for one page. */
export const MAX_MONTHS = 24;

/** One month of one service, as the dashboard may publish it. */
export interface MonthOfService {
  /** `YYYY-MM`. */
  month: string;
  /**
   * False for a month that has not begun on the hub's clock: it has no figures (not zeros, which
   * would read as "nobody"), and takes no part in the suppression, where a month known to be empty
   * would be no companion at all.
   */
  begun: boolean;
  counts: Record<CountField, number | null>;
  suppressed: CountField[];
  /** People connected from the period's start through the end of this month; null when withheld. */
  connectedSoFar: number | null;
}

export interface ServiceSeries {
  service: Service;
  /** The service's row of the period's ungrouped report: totals, medians, target. */
  period: IndicatorRow;
  months: MonthOfService[];
}

export interface IndicatorsOverTime {
  from: string;
  to: string;
  suppression: IndicatorsReport['suppression'];
  series: ServiceSeries[];
}

const zero = (): Counts => ({ referred: 0, connected: 0, completed: 0, rejected: 0, slaBreaches: 0 });
const isMonthStart = (d: Date) => d.getUTCDate() === 1 && d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0;
const nextMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));

/** The month starts in [from, to): both bounds must be the first of a month, midnight UTC. */
export function monthsBetween(from: Date, to: Date): Date[] {
  if (!isMonthStart(from) || !isMonthStart(to)) throw badRequest('a period over time starts and ends on the first of a month', [{ path: 'from', message: 'must be the first of a month' }]);
  const months: Date[] = [];
  for (let m = from; m < to; m = nextMonth(m)) months.push(m);
  if (months.length === 0) throw badRequest('the period must end after it starts', [{ path: 'to', message: 'must be after from' }]);
  if (months.length > MAX_MONTHS) throw badRequest(`a period over time is at most ${MAX_MONTHS} months`, [{ path: 'to', message: `at most ${MAX_MONTHS} months after from` }]);
  return months;
}

/**
 * The indicators of a period month by month, for the manager's dashboard: per service, each
 * month's counts and the people connected so far, with the period's own report for the totals
 * and the target. Each month is counted exactly as `GET /v1/reports/indicators` counts that
 * month; what is withheld follows domain/series-suppression.ts, so a month's published cell is
 * the month report's cell, and the months and running totals together give away no small count
 * the period's report withholds. One audited read.
 */
export async function indicatorsOverTime(hub: Pick<Hub, 'sql' | 'clock'>, caller: Caller, range: { from: Date; to: Date }): Promise<IndicatorsOverTime> {
  const all = monthsBetween(range.from, range.to);
  const now = hub.clock.now();
  const months = all.filter((start) => start <= now);
  const period = await buildReport(hub, { from: range.from.toISOString(), to: range.to.toISOString(), groupBy: 'none' });
  // The begun months and their running totals, in one statement after the period's: a dashboard
  // is one reader, and should not take the whole pool.
  const counted = months.length === 0 ? [] : await countIndicatorsByMonth(hub.sql, { starts: months, to: nextMonth(months.at(-1)!) });
  const byService = new Map<Service, { monthly: Counts[]; soFar: Counts[] }>();
  for (const c of counted) {
    const s = byService.get(c.service) ?? { monthly: months.map(zero), soFar: months.map(zero) };
    s.monthly[c.month] = c.counts;
    s.soFar[c.month] = c.soFar;
    byService.set(c.service, s);
  }

  const series = period.rows.map((row): ServiceSeries => {
    const counts = byService.get(row.service);
    const monthCounts = counts?.monthly ?? months.map(zero);
    const withheld = suppressCells(monthCounts);
    const totals = counts?.soFar ?? months.map(zero);
    // Each running total on its own first, as its own report would publish it.
    const ownReport = totals.map((t) => !suppressCells([t])[0]!.has('connected'));
    const connectedSoFar = publishableRunningTotals(totals.map((t) => t.connected), ownReport);
    return {
      service: row.service,
      period: row,
      months: all.map((start, k) => (k < months.length
        ? {
          month: start.toISOString().slice(0, 7), begun: true,
          counts: publish(monthCounts[k]!, withheld[k]!),
          suppressed: COUNT_FIELDS.filter((f) => withheld[k]!.has(f)),
          connectedSoFar: connectedSoFar[k]!,
        }
        : { month: start.toISOString().slice(0, 7), begun: false, counts: publish(zero(), new Set()), suppressed: [], connectedSoFar: null })),
    };
  });

  await appendAudit(hub.sql, {
    actor: caller.clientId, action: 'report.indicators.read',
    detail: { from: period.from, to: period.to, groupBy: 'none', interval: 'month' },
  });
  return { from: period.from, to: period.to, suppression: period.suppression, series };
}
