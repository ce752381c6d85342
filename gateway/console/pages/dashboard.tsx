import { GROUP_BYS, type GroupBy, type IndicatorsReport } from '../../../schemas/indicators.js';
import type { IndicatorsOverTime, ServiceSeries } from '../../../services/indicators-over-time.js';
import type { StaffSession } from '../../../services/staff.js';
import { BarChart, LineChart } from '../charts.js';
import { FieldError, Layout, described } from '../layout.js';
import { GroupTable, monthName, monthShort, MonthlyTable, Scroll, serviceLabel, TotalsTable } from './dashboard-tables.js';

export interface DashboardForm {
  /** `YYYY-MM`, the first month. */
  from: string;
  /** `YYYY-MM`, the last month (included). */
  to: string;
  groupBy: GroupBy;
}

export interface DashboardProps {
  session: StaffSession;
  form: DashboardForm;
  errors: Record<string, string>;
  print: boolean;
  /** Absent when the form has an error. */
  overTime?: IndicatorsOverTime;
  /** The period grouped as asked; absent for `none` (the totals table is the ungrouped report). */
  grouped?: IndicatorsReport;
  /** Partner organisations' names by id, for the partner grouping. */
  names: Record<string, string>;
}

export const GROUP_HEADINGS: Record<GroupBy, string> = {
  none: 'no grouping', race: 'by race and ethnicity', gender: 'by gender', age_band: 'by age at referral', partner: 'by partner',
};
const RACE_METHOD_STATEMENT =
  'Race and ethnicity follow the 2024 federal standard (SPD 15), counted alone or in combination: a person counts in every category they selected, ' +
  'also in Multiracial when more than one, and in Undisclosed when none. Race rows therefore add up to more than the total when anyone is multiracial.';

export const dashboardQuery = (form: DashboardForm, extra: Record<string, string> = {}) => new URLSearchParams({ from: form.from, to: form.to, groupBy: form.groupBy, ...extra }).toString();

/** The program manager's dashboard: outcome indicators month by month against targets, and disaggregated. Aggregates only. */
export function DashboardPage(props: DashboardProps) {
  const { form, errors, overTime, print } = props;
  const period = `${monthName(form.from)} to ${monthName(form.to)}`;
  return (
    <Layout title={print ? `Outcome indicators, ${period}` : 'Outcome indicators'} session={props.session} print={print} wide>
      {print ? <p class="no-print"><a href={`/console/dashboard?${dashboardQuery(form)}`}>Back to the dashboard</a></p> : null}
      <h1>Outcome indicators{print ? `, ${period}` : null}</h1>
      {print ? null : <PeriodForm form={form} errors={errors} />}
      {overTime ? (
        <>
          <p class="lead">
            {`Referrals created from ${overTime.from.slice(0, 10)} up to (not including) ${overTime.to.slice(0, 10)}, UTC: ${period}. `}
            Counts are of people, never of referrals; no person’s data is on this page.
          </p>
          {print ? null : (
            <p class="actions">
              <a class="button" href={`/console/dashboard.csv?${dashboardQuery(form)}`} download>Download CSV</a>
              <a class="button secondary" href={`/console/dashboard?${dashboardQuery(form, { print: '1' })}`}>Print view</a>
            </p>
          )}
          <Statements suppressionRule={overTime.suppression.rule} race={props.grouped?.method !== undefined} />
          {overTime.series.length === 0 ? <p>No referral was created in this period, and no target covers its start.</p> : null}
          {overTime.series.map((s) => <ServiceSection series={s} />)}
          <section aria-labelledby="totals-heading">
            <h2 id="totals-heading">Whole period</h2>
            <Scroll table="totals"><TotalsTable rows={overTime.series.map((s) => s.period)} /></Scroll>
          </section>
          {props.grouped ? (
            <section aria-labelledby="groups-heading">
              <h2 id="groups-heading">{`Whole period, ${GROUP_HEADINGS[form.groupBy]}`}</h2>
              {props.grouped.rows.length === 0 ? <p>Nobody was referred in this period.</p> : null}
              {[...new Set(props.grouped.rows.map((r) => r.service))].map((service) => (
                <Scroll table={`groups-${service}`}><GroupTable report={props.grouped!} service={service} heading={GROUP_HEADINGS[form.groupBy]} names={props.names} /></Scroll>
              ))}
            </section>
          ) : null}
        </>
      ) : null}
    </Layout>
  );
}

function PeriodForm(props: { form: DashboardForm; errors: Record<string, string> }) {
  const { form, errors } = props;
  return (
    <form class="card period" method="get" action="/console/dashboard">
      <div>
        <label for="from">From (month)</label>
        <FieldError id="from-error" message={errors.from} />
        <input id="from" name="from" type="month" required value={form.from} {...described('from-error', errors.from)} />
      </div>
      <div>
        <label for="to">To (month, included)</label>
        <FieldError id="to-error" message={errors.to} />
        <input id="to" name="to" type="month" required value={form.to} {...described('to-error', errors.to)} />
      </div>
      <div>
        <label for="groupBy">Disaggregate by</label>
        <FieldError id="groupBy-error" message={errors.groupBy} />
        <select id="groupBy" name="groupBy" {...described('groupBy-error', errors.groupBy)}>
          {GROUP_BYS.map((g) => <option value={g} selected={g === form.groupBy}>{g === 'none' ? 'No grouping' : GROUP_HEADINGS[g].replace(/^by /, '').replace(/^./, (c) => c.toUpperCase())}</option>)}
        </select>
      </div>
      <button type="submit">Show</button>
    </form>
  );
}

/** What a reader of a grant report must be told: how small counts are protected, and how race is counted. */
function Statements(props: { suppressionRule: string; race: boolean }) {
  return (
    <section class="card statements" aria-labelledby="method-heading">
      <h2 id="method-heading">How these figures are protected</h2>
      <p>{props.suppressionRule}</p>
      <p>
        In the tables, <span class="suppressed">suppressed (1–10)</span> is a count of 1 to 10 people; <span class="suppressed">suppressed</span> alone is such a
        count or one withheld with it, so that it cannot be worked out from the others. Months are protected together with the period’s total, and a running
        total is shown only when it has risen by none or by more than 10 people since the last one shown. In the charts, a hatched box marks a withheld value:
        it is not a zero.
      </p>
      {props.race ? <p>{RACE_METHOD_STATEMENT}</p> : null}
    </section>
  );
}

/** A chart with its name shown above it; the chart's own title and description are for screen readers. */
const ChartFigure = (props: { caption: string; children?: unknown }) => (
  <figure class="chart">
    <figcaption aria-hidden="true">{props.caption}</figcaption>
    {props.children}
  </figure>
);

/** One service: people connected per month, and connected so far against the target and the baseline, each beside its table. */
function ServiceSection(props: { series: ServiceSeries }) {
  const { service, months, period } = props.series;
  const name = serviceLabel(service);
  const withYear = new Set(months.map((m) => m.month.slice(0, 4))).size > 1;
  const label = (month: string) => monthShort(month, withYear);
  const withheld = (n: number) => (n === 0 ? '' : ` ${n} ${n === 1 ? 'month is' : 'months are'} withheld, drawn as a hatched box.`);
  const ahead = months.filter((m) => !m.begun).length;
  const notBegun = ahead === 0 ? '' : ` The last ${ahead === 1 ? 'month has' : `${ahead} months have`} not begun and ${ahead === 1 ? 'is' : 'are'} left empty.`;
  const span = `${monthName(months[0]!.month)} to ${monthName(months.at(-1)!.month)}`;
  const references = [
    ...(period.target !== undefined ? [{ label: 'Target', value: period.target, kind: 'target' as const }] : []),
    ...(period.baseline !== undefined ? [{ label: 'Baseline', value: period.baseline, kind: 'baseline' as const }] : []),
  ];
  return (
    <section class="service" aria-labelledby={`service-${service}`}>
      <h2 id={`service-${service}`}>{name}</h2>
      <div class="beside">
        <div class="charts">
          <ChartFigure caption="People connected per month">
            <BarChart
              id={`chart-${service}-monthly`}
              title={`${name}: people connected per month`}
              desc={`Bars, one per month from ${span}.${withheld(months.filter((m) => m.begun && m.counts.connected === null).length)} ${notBegun} The numbers are in the table “${name}: people per month”.`}
              points={months.map((m) => ({ label: label(m.month), value: m.begun ? m.counts.connected : undefined }))}
            />
          </ChartFigure>
          <ChartFigure caption={`People connected so far${period.target !== undefined ? ', against the target' : ''}`}>
            <LineChart
              id={`chart-${service}-so-far`}
              title={`${name}: people connected so far${period.target !== undefined ? ', against the target' : ''}`}
              desc={`A line through the people connected from the start of the period to the end of each month, ${span}${references.length ? `, with ${references.map((r) => `the ${r.label.toLowerCase()} (${r.value})`).join(' and ')} as horizontal lines` : ''}.${withheld(months.filter((m) => m.begun && m.connectedSoFar === null).length)} ${notBegun} The numbers are in the table “${name}: people per month”.`}
              points={months.map((m) => ({ label: label(m.month), value: m.begun ? m.connectedSoFar : undefined }))}
              references={references}
            />
          </ChartFigure>
        </div>
        <Scroll table={`table-${service}`}><MonthlyTable series={props.series} id={`table-${service}`} /></Scroll>
      </div>
    </section>
  );
}
