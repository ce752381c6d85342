import type { IndicatorRow, IndicatorsReport } from '../../../schemas/indicators.js';
import type { ServiceSeries } from '../../../services/indicators-over-time.js';
import { categoryLabel } from './case-file.js';

/** The dashboard's tables: the numbers themselves, which the charts only draw. */

const AGE_LABELS: Record<string, string> = {
  under_18: 'Under 18', '18_24': '18 to 24', '25_34': '25 to 34', '35_44': '35 to 44', '45_54': '45 to 54', '55_64': '55 to 64', '65_plus': '65 and over',
};
/** SPD 15's category names, as the standard writes them. */
const RACE_LABELS: Record<string, string> = {
  american_indian_or_alaska_native: 'American Indian or Alaska Native', black_or_african_american: 'Black or African American',
  middle_eastern_or_north_african: 'Middle Eastern or North African', native_hawaiian_or_pacific_islander: 'Native Hawaiian or Pacific Islander',
};
export const groupLabel = (group: string, names: Record<string, string>) => names[group] ?? AGE_LABELS[group] ?? RACE_LABELS[group] ?? categoryLabel(group);
export const serviceLabel = categoryLabel;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** `YYYY-MM` as words: "March 2026". */
export const monthName = (month: string) => `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
export const monthShort = (month: string, withYear: boolean) => `${MONTHS[Number(month.slice(5, 7)) - 1]!.slice(0, 3)}${withYear ? ` ${month.slice(2, 4)}` : ''}`;

/**
 * A count as published. A withheld count is never shown as a number, nor as zero. Where only the
 * primary and nesting rules apply (a period's ungrouped row) it is known to be 1 to 10 people, and
 * says so; elsewhere it may also be a companion, withheld with a small one, and says only that.
 */
export function Count(props: { value: number | null | undefined; small?: boolean }) {
  if (props.value === undefined) return <span class="muted">—</span>;
  if (props.value === null) return <span class="suppressed">{props.small ? 'suppressed (1–10)' : 'suppressed'}</span>;
  return <>{props.value.toLocaleString('en-US')}</>;
}

const Median = (props: { value: number | null }) => (props.value === null ? <span class="muted">not published</span> : <>{String(props.value)}</>);
const percent = (n: number) => `${(n * 100).toFixed(1)}%`;

/** Connected as a share of the target; withheld with connected (connected = progress × target). */
function Progress(props: { connected: number | null; target: number | undefined; small?: boolean }) {
  if (props.target === undefined || props.target === 0) return <span class="muted">—</span>;
  if (props.connected === null) return <span class="suppressed">{props.small ? 'suppressed (1–10)' : 'suppressed'}</span>;
  return <>{percent(props.connected / props.target)}</>;
}

const COUNT_HEADERS = ['Referred', 'Connected', 'Completed', 'Rejected', 'SLA breaches'];
const counts = (row: Pick<IndicatorRow, 'referred' | 'connected' | 'completed' | 'rejected' | 'slaBreaches'>) => [row.referred, row.connected, row.completed, row.rejected, row.slaBreaches];

/**
 * A wide table scrolls sideways in its own box; the box takes the keyboard focus (so it can be
 * scrolled without a mouse) and is named by the table's caption.
 */
export function Scroll(props: { table: string; children?: unknown }) {
  return <div class="scroll" tabindex={0} role="region" aria-labelledby={`${props.table}-caption`}>{props.children}</div>;
}

/** One service's months, with the running total and progress against the period's target, and the period's total below. */
export function MonthlyTable(props: { series: ServiceSeries; id: string }) {
  const { period, months } = props.series;
  const target = period.target;
  return (
    <table id={props.id}>
      <caption id={`${props.id}-caption`}>{`${serviceLabel(props.series.service)}: people per month`}</caption>
      <thead>
        <tr>
          <th scope="col">Month</th>
          {COUNT_HEADERS.map((h) => <th scope="col" class="num">{h}</th>)}
          <th scope="col" class="num">Connected so far</th>
          {target !== undefined ? <th scope="col" class="num">Of target</th> : null}
        </tr>
      </thead>
      <tbody>
        {months.map((m) => (!m.begun ? (
          <tr class="not-begun">
            <th scope="row">{monthName(m.month)}</th>
            <td colspan={target !== undefined ? 7 : 6} class="muted">not begun yet</td>
          </tr>
        ) : (
          <tr>
            <th scope="row">{monthName(m.month)}</th>
            {counts(m.counts).map((v) => <td class="num"><Count value={v} /></td>)}
            <td class="num"><Count value={m.connectedSoFar} /></td>
            {target !== undefined ? <td class="num"><Progress connected={m.connectedSoFar} target={target} /></td> : null}
          </tr>
        )))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Whole period</th>
          {counts(period).map((v) => <td class="num"><Count value={v} small /></td>)}
          <td class="num"><Count value={period.connected} small /></td>
          {target !== undefined ? <td class="num"><Progress connected={period.connected} target={target} small /></td> : null}
        </tr>
      </tfoot>
    </table>
  );
}

/** The period's totals, one row per service, with the target covering the period's start. */
export function TotalsTable(props: { rows: IndicatorRow[] }) {
  return (
    <table id="totals">
      <caption id="totals-caption">Whole period, per service</caption>
      <thead>
        <tr>
          <th scope="col">Service</th>
          {COUNT_HEADERS.map((h) => <th scope="col" class="num">{h}</th>)}
          <th scope="col" class="num">Median hours to acknowledge</th>
          <th scope="col" class="num">Median days to first contact</th>
          <th scope="col" class="num">Baseline</th>
          <th scope="col" class="num">Target</th>
          <th scope="col" class="num">Progress</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr>
            <th scope="row">{serviceLabel(row.service)}</th>
            {counts(row).map((v) => <td class="num"><Count value={v} small /></td>)}
            <td class="num"><Median value={row.medianHoursToAcknowledge} /></td>
            <td class="num"><Median value={row.medianDaysToFirstContact} /></td>
            <td class="num"><Count value={row.baseline} /></td>
            <td class="num"><Count value={row.target} /></td>
            <td class="num"><Progress connected={row.connected} target={row.target} small /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One service's rows of a grouped report. */
export function GroupTable(props: { report: IndicatorsReport; service: string; heading: string; names: Record<string, string> }) {
  const rows = props.report.rows.filter((r) => r.service === props.service);
  return (
    <table id={`groups-${props.service}`}>
      <caption id={`groups-${props.service}-caption`}>{`${serviceLabel(props.service)}: ${props.heading}`}</caption>
      <thead>
        <tr>
          <th scope="col">Group</th>
          {COUNT_HEADERS.map((h) => <th scope="col" class="num">{h}</th>)}
          <th scope="col" class="num">Median hours to acknowledge</th>
          <th scope="col" class="num">Median days to first contact</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr>
            <th scope="row">{groupLabel(row.group, props.names)}</th>
            {counts(row).map((v) => <td class="num"><Count value={v} /></td>)}
            <td class="num"><Median value={row.medianHoursToAcknowledge} /></td>
            <td class="num"><Median value={row.medianDaysToFirstContact} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
