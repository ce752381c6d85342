import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { page } from '../../lib/cursor.js';
import { ListQuery, listOf } from '../../schemas/common.js';
import { IndicatorsQuery, IndicatorsReport, Target, TargetInput, TargetQuery } from '../../schemas/indicators.js';
import { csvFileName, indicatorsCsv, indicatorsReport, SUPPRESSION_RULE } from '../../services/indicators.js';
import { setTarget, targets } from '../../services/targets.js';
import type { AppEnv } from '../context.js';
import type { Hub } from '../../services/hub.js';
import { requireRole } from '../roles.js';
import { described, json, problems, whoMayCall } from '../openapi.js';
import { conflict } from '../../lib/errors.js';

const tags = ['Outcome indicators'];

// The reference's examples: the county reentry program's housing target, and a quarter's report.
const example = {
  targetInput: { service: 'housing', period: { start: '2026-01-01', end: '2027-01-01' }, baseline: 1650, target: 2058 },
  target: {
    id: 'tgt_Housing202600000000001', service: 'housing', period: { start: '2026-01-01', end: '2027-01-01' }, baseline: 1650, target: 2058,
    createdAt: '2026-01-05T16:00:00.000Z',
  },
  report: {
    from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', groupBy: 'none',
    suppression: { threshold: 10, rule: SUPPRESSION_RULE },
    rows: [
      {
        service: 'housing', group: 'all', referred: 642, connected: 488, completed: 131, rejected: 37, slaBreaches: 22,
        medianHoursToAcknowledge: 5.5, medianDaysToFirstContact: 3.1, baseline: 1650, target: 2058, progress: 0.2371, suppressed: [],
      },
      {
        service: 'legal', group: 'all', referred: 48, connected: 31, completed: null, rejected: 0, slaBreaches: null,
        medianHoursToAcknowledge: 20.25, medianDaysToFirstContact: null, suppressed: ['completed', 'slaBreaches'],
      },
    ],
  },
};
const csvExample = [
  'service,group,referred,connected,completed,rejected,slaBreaches,medianHoursToAcknowledge,medianDaysToFirstContact,baseline,target,progress,suppressed',
  'housing,all,642,488,131,37,22,5.5,3.1,1650,2058,0.2371,',
  'legal,all,48,31,,0,,20.25,,,,,completed slaBreaches',
  '',
].join('\r\n');

const setTargetRoute = createRoute({
  method: 'post', path: '/v1/targets', tags, operationId: 'createTarget',
  summary: 'Set a baseline and a target for people connected to a service in a period',
  description: described(
    'A target is for people connected to the service (their referral reached `in_progress` or `completed`) in the period `[start, end)`. ' +
      'The indicators report shows it on the ungrouped row of the service, from the target whose period covers the report’s `from`, with `progress` = connected ÷ target. ' +
      'One target per service and exact period: another for the same is **409**. Every target set is audited.',
    whoMayCall({ admin: 'for the whole hub', manager: 'for the whole hub' }),
  ),
  request: { body: { required: true, description: 'The service, the period, the baseline and the target.', ...json(TargetInput, example.targetInput) } },
  responses: {
    201: { description: 'Set', ...json(Target, example.target) },
    ...problems(400, 401, 403, { 409: { description: 'The service already has a target for exactly that period', example: conflict('housing already has a target for 2026-01-01 to 2027-01-01') } }, 413, 415, 429, 503),
  },
});
const listTargetsRoute = createRoute({
  method: 'get', path: '/v1/targets', tags, operationId: 'listTargets',
  summary: 'List the targets',
  description: described('Every target set, newest first, cursor-paginated.', whoMayCall({ admin: 'every target', manager: 'every target' })),
  request: { query: ListQuery.extend(TargetQuery.shape) },
  responses: {
    200: { description: 'Targets, newest first', ...json(listOf(Target, 'TargetList'), { items: [example.target], nextCursor: null }) },
    ...problems(400, 401, 403, 429, 503),
  },
});
const reportRoute = createRoute({
  method: 'get', path: '/v1/reports/indicators', tags, operationId: 'getIndicatorsReport',
  summary: 'Outcome indicators per service, against targets, disaggregated, with small counts withheld',
  description: described(
    'Per service (and group, with `groupBy`): unique participants whose referral for the service was created in `[from, to)`, how many of them were connected (`in_progress` or `completed`), completed and were rejected, ' +
      'how many had an SLA breach, the median hours to acknowledgement and days to first contact, and on ungrouped rows the baseline, target and progress of the target covering `from`. ' +
      'Grouped by `race`, the report uses the 2024 federal standard (SPD 15) alone or in combination and says so in `method`. ' +
      'Counts from 1 to 10 are withheld, with further cells withheld so that none can be worked out from the rest (`suppression.rule`; docs/indicators.md). ' +
      'No participant id, name or birth date is ever in a report. `Accept: text/csv` gives the same rows as a file. Every report read is audited.',
    whoMayCall({ manager: 'the whole hub', compliance: 'the whole hub' }),
  ),
  request: { query: IndicatorsQuery },
  responses: {
    200: {
      description: 'The report; `Accept: text/csv` for the same rows as CSV',
      content: {
        'application/json': { schema: IndicatorsReport, example: example.report },
        'text/csv': { schema: z.string().openapi({ description: 'One line per row, with a header line; withheld and absent values are empty cells, `suppressed` is space-separated.' }), example: csvExample },
      },
    },
    ...problems(400, 401, 403, 429, 503),
  },
});

export function registerIndicatorRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(setTargetRoute, async (c) => {
    const caller = requireRole(c, 'admin', 'manager');
    return c.json(await setTarget(hub, caller, c.req.valid('json')), 201);
  });

  app.openapi(listTargetsRoute, async (c) => {
    requireRole(c, 'admin', 'manager');
    const query = c.req.valid('query');
    return c.json(page(await targets(hub, query), query.limit, (t) => t), 200);
  });

  app.openapi(reportRoute, async (c) => {
    const caller = requireRole(c, 'manager', 'compliance');
    const query = c.req.valid('query');
    const report = await indicatorsReport(hub, caller, query);
    if (c.req.header('accept')?.includes('text/csv')) {
      c.header('content-disposition', `attachment; filename="${csvFileName(report)}"`);
      return c.body(indicatorsCsv(report), 200, { 'content-type': 'text/csv; charset=utf-8' });
    }
    return c.json(report, 200);
  });
}
