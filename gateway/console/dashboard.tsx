import type { Hono } from 'hono';
import { forbidden, HubError } from '../../lib/errors.js';
import { GROUP_BYS, type GroupBy } from '../../schemas/indicators.js';
import type { Hub } from '../../services/hub.js';
import { csvFileName, indicatorsCsv, indicatorsReport } from '../../services/indicators.js';
import { indicatorsOverTime, MAX_MONTHS } from '../../services/indicators-over-time.js';
import { readOrganization } from '../../services/organizations.js';
import type { StaffSession } from '../../services/staff.js';
import { DASHBOARD_ROLES } from './layout.js';
import { DashboardPage, type DashboardForm } from './pages/dashboard.js';
import type { ConsoleEnv } from './session.js';

function readerOf(session: StaffSession) {
  if (!DASHBOARD_ROLES.includes(session.caller.role)) throw forbidden('the outcome indicators are for program managers and compliance officers');
  return session.caller;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const monthStart = (month: string) => new Date(`${month}-01T00:00:00Z`);
const afterMonth = (month: string) => {
  const start = monthStart(month);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
};

/**
 * The form's period and grouping, read from the query string, with an error in words per field.
 * Missing bounds default to this year (the hub's clock); `to` names the last month, included.
 */
export function readDashboardForm(query: Record<string, string | undefined>, now: Date): { form: DashboardForm; errors: Record<string, string> } {
  const year = String(now.getUTCFullYear());
  const form: DashboardForm = { from: query.from?.trim() || `${year}-01`, to: query.to?.trim() || `${year}-12`, groupBy: 'none' };
  const errors: Record<string, string> = {};
  const groupBy = query.groupBy?.trim() || 'none';
  if ((GROUP_BYS as readonly string[]).includes(groupBy)) form.groupBy = groupBy as GroupBy;
  else errors.groupBy = `Choose one of the groupings offered (${GROUP_BYS.join(', ')}).`;
  if (!MONTH.test(form.from) || form.from.startsWith('0000')) errors.from = 'Enter the first month as a year and month, for example 2026-01.';
  if (!MONTH.test(form.to) || form.to.startsWith('0000')) errors.to = 'Enter the last month as a year and month, for example 2026-12.';
  if (!errors.from && !errors.to) {
    const months = (Number(form.to.slice(0, 4)) - Number(form.from.slice(0, 4))) * 12 + Number(form.to.slice(5, 7)) - Number(form.from.slice(5, 7)) + 1;
    if (months < 1) errors.to = 'The last month must be the first month or after it.';
    else if (months > MAX_MONTHS) errors.to = `The period can be at most ${MAX_MONTHS} months; choose a later first month or an earlier last month.`;
  }
  return { form, errors };
}

/** Partner organisations' names, for the partner grouping; an organisation the reader may not see keeps its id. */
async function partnerNames(hub: Hub, caller: StaffSession['caller'], ids: string[]): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const id of ids) {
    try {
      names[id] = (await readOrganization(hub, caller, id)).name;
    } catch (error) {
      if (!(error instanceof HubError && error.status === 404)) throw error;
    }
  }
  return names;
}

/**
 * The program manager's dashboard, over the same service as `GET /v1/reports/indicators`: the
 * period month by month (services/indicators-over-time.ts), the grouped report, its CSV and a
 * print view. Each read is audited by the service, as the API's read is.
 */
export function registerDashboardPages(app: Hono<ConsoleEnv>, hub: Hub) {
  app.get('/dashboard', async (c) => {
    const session = c.get('session')!;
    const caller = readerOf(session);
    const { form, errors } = readDashboardForm(c.req.query(), hub.clock.now());
    const print = c.req.query('print') === '1';
    if (Object.keys(errors).length) return c.html(<DashboardPage session={session} form={form} errors={errors} print={false} names={{}} />, 400);
    const range = { from: monthStart(form.from), to: afterMonth(form.to) };
    const overTime = await indicatorsOverTime(hub, caller, range);
    const grouped = form.groupBy === 'none'
      ? undefined
      : await indicatorsReport(hub, caller, { from: range.from.toISOString(), to: range.to.toISOString(), groupBy: form.groupBy });
    const names = grouped && form.groupBy === 'partner' ? await partnerNames(hub, caller, [...new Set(grouped.rows.map((r) => r.group))]) : {};
    return c.html(<DashboardPage session={session} form={form} errors={{}} print={print} overTime={overTime} {...(grouped ? { grouped } : {})} names={names} />);
  });

  // The same file as `GET /v1/reports/indicators` with `Accept: text/csv`, for the period and grouping chosen.
  app.get('/dashboard.csv', async (c) => {
    const session = c.get('session')!;
    const caller = readerOf(session);
    const { form, errors } = readDashboardForm(c.req.query(), hub.clock.now());
    if (Object.keys(errors).length) {
      const [field, message] = Object.entries(errors)[0]!;
      throw new HubError(400, 'Bad Request', `${field}: ${message}`);
    }
    const report = await indicatorsReport(hub, caller, { from: monthStart(form.from).toISOString(), to: afterMonth(form.to).toISOString(), groupBy: form.groupBy });
    c.header('content-disposition', `attachment; filename="${csvFileName(report)}"`);
    return c.body(indicatorsCsv(report), 200, { 'content-type': 'text/csv; charset=utf-8' });
  });
}
