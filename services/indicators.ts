import type { Caller } from '../domain/caller.js';
import { knownGroups } from '../domain/indicator-groups.js';
import { COUNT_FIELDS, publish, publishableMedian, suppressCells, SUPPRESSION_THRESHOLD, type Counts } from '../domain/suppression.js';
import { RACE_METHOD, type GroupBy, type IndicatorRow, type IndicatorsQuery, type IndicatorsReport } from '../schemas/indicators.js';
import { SERVICES, type Service } from '../schemas/vocabulary.js';
import { appendAudit } from '../store/audit.js';
import { countIndicators, type CountedGroup } from '../store/indicators.js';
import { targetsCovering } from '../store/targets.js';
import type { Hub } from './hub.js';

export const SUPPRESSION_RULE =
  `Every count from 1 to ${SUPPRESSION_THRESHOLD} people is withheld (null, and named in the row's suppressed list). ` +
  'Within one service, more cells are withheld so that none can be worked out from the other rows and the service total: ' +
  'a field with a single withheld group gets the next smallest group withheld with it, and a count is withheld when the count it is part of is ' +
  '(connected and rejected and SLA breaches of referred, completed of connected). ' +
  `Progress is withheld with connected. A median over ${SUPPRESSION_THRESHOLD} people or fewer is withheld.`;

/** `YYYY-MM-DD` is that day's midnight, UTC. */
const instant = (bound: string) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(bound) ? `${bound}T00:00:00Z` : bound);
const zero = (): Counts => ({ referred: 0, connected: 0, completed: 0, rejected: 0, slaBreaches: 0 });
const rounded = (n: number | null, places = 2) => (n === null ? null : Math.round(n * 10 ** places) / 10 ** places);

/**
 * GET /v1/reports/indicators: per service and group, unique people referred, connected, completed,
 * rejected and with an SLA breach, the medians, and on ungrouped rows the target covering `from`;
 * small counts withheld (domain/suppression.ts). Reading a report is audited.
 */
export async function indicatorsReport(hub: Pick<Hub, 'sql'>, caller: Caller, query: IndicatorsQuery): Promise<IndicatorsReport> {
  const report = await buildReport(hub, query);
  await appendAudit(hub.sql, { actor: caller.clientId, action: 'report.indicators.read', detail: { from: report.from, to: report.to, groupBy: query.groupBy } });
  return report;
}

/** The report, not audited: for a caller that audits what it shows as one read (services/indicators-over-time.ts). */
export async function buildReport(hub: Pick<Hub, 'sql'>, query: IndicatorsQuery): Promise<IndicatorsReport> {
  const from = instant(query.from);
  const to = instant(query.to);
  const [counted, targets] = await Promise.all([
    countIndicators(hub.sql, { from, to, groupBy: query.groupBy }),
    query.groupBy === 'none' ? targetsCovering(hub.sql, from) : Promise.resolve(new Map()),
  ]);
  const rows: IndicatorRow[] = [];
  for (const service of SERVICES.filter((s) => targets.has(s) || counted.some((c) => c.service === s))) {
    const groups = serviceGroups(query.groupBy, counted.filter((c) => c.service === service), service);
    const withheld = suppressCells(groups.map((g) => g.counts));
    groups.forEach((g, i) => {
      const suppressed: IndicatorRow['suppressed'] = COUNT_FIELDS.filter((f) => withheld[i]!.has(f));
      const published = publish(g.counts, withheld[i]!);
      const row: IndicatorRow = {
        service, group: g.group, ...published,
        medianHoursToAcknowledge: rounded(publishableMedian(g.medianHoursToAcknowledge, g.acknowledgedPeople)),
        medianDaysToFirstContact: rounded(publishableMedian(g.medianDaysToFirstContact, g.contactedPeople)),
        suppressed,
      };
      const target = targets.get(service);
      if (target) {
        // connected = progress × target: progress is withheld with connected.
        const progress = published.connected === null || target.target === 0 ? null : rounded(published.connected / target.target, 4);
        if (published.connected === null) suppressed.push('progress');
        Object.assign(row, { baseline: target.baseline, target: target.target, progress });
      }
      rows.push(row);
    });
  }
  return {
    from: from.toISOString(), to: to.toISOString(), groupBy: query.groupBy,
    ...(query.groupBy === 'race' ? { method: RACE_METHOD } : {}),
    suppression: { threshold: SUPPRESSION_THRESHOLD, rule: SUPPRESSION_RULE },
    rows,
  };
}

/** One service's groups: every group the grouping knows (zeros where nobody fell), then any other counted (partners, by id). */
function serviceGroups(groupBy: GroupBy, counted: CountedGroup[], service: Service): CountedGroup[] {
  const byGroup = new Map(counted.map((c) => [c.group, c]));
  const known = knownGroups(groupBy);
  const names = [...known, ...[...byGroup.keys()].filter((g) => !known.includes(g)).sort()];
  return names.map((group) => byGroup.get(group) ?? {
    service, group, counts: zero(), medianHoursToAcknowledge: null, acknowledgedPeople: 0, medianDaysToFirstContact: null, contactedPeople: 0,
  });
}

/** The name a downloaded report is saved under: its grouping and days. */
export const csvFileName = (report: Pick<IndicatorsReport, 'groupBy' | 'from' | 'to'>) =>
  `indicators-${report.groupBy}-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv`;

const CSV_COLUMNS = [
  'service', 'group', ...COUNT_FIELDS, 'medianHoursToAcknowledge', 'medianDaysToFirstContact', 'baseline', 'target', 'progress', 'suppressed',
] as const;

/** The report's rows as CSV: a withheld or absent value is an empty cell; `suppressed` is space-separated. */
export function indicatorsCsv(report: Pick<IndicatorsReport, 'rows'>): string {
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(' ') : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [CSV_COLUMNS.join(','), ...report.rows.map((row) => CSV_COLUMNS.map((c) => cell(row[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
