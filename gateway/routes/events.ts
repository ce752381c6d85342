import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParam } from '../../schemas/common.js';
import { ENGAGEMENT_EVENTS, ENGAGEMENT_STATES, PARTNER_STATUS_EVENTS, STATUS_TRANSITIONS } from '../../domain/referral-workflow.js';
import { forbidden } from '../../lib/errors.js';
import * as examples from '../openapi-examples.js';
import { described, json, jsonExamples, problems, whoMayCall } from '../openapi.js';
import { EventCreated, EventInput, Timeline } from '../../schemas/referral.js';
import { postEvent, timeline } from '../../services/referral-events.js';
import type { AppEnv } from '../context.js';
import type { Hub } from '../../services/hub.js';
import { requireOrgRole, requireRole } from '../roles.js';

const tags = ['Referral events'];

/** The state machine as the reference shows it, written from the table the 409 reads. */
const transitions = Object.entries(STATUS_TRANSITIONS)
  .filter(([, to]) => to.length > 0)
  .map(([from, to]) => `| \`${from}\` | ${to.map((t) => `\`${t}\``).join(', ')}${from === 'on_hold' ? ', and back to the status it left (`resumed`)' : ''} |`)
  .join('\n');

const postRoute = createRoute({
  method: 'post', path: '/v1/referrals/{id}/events', tags, operationId: 'postReferralEvent',
  summary: 'Report a status or engagement event (partner), or cancel (planner)',
  description: described(
    `The partner reports where the referral stands: \`${PARTNER_STATUS_EVENTS.join('`, `')}\` change the status; ` +
      `engagement events \`${ENGAGEMENT_EVENTS.join('`, `')}\` are recorded on the timeline while the referral is ${ENGAGEMENT_STATES.map((s) => `\`${s}\``).join(', ')} and leave the status as it is. ` +
      '`rejected` needs a `reason`, `intake_scheduled` an `appointmentAt`. A `note` carries a category and reaches the planner only when consent permits that category from the partner. ' +
      'The planner may post `cancelled`, which also tells the partner (`referral.cancelled`).\n\n' +
      'Each event is checked against the state machine; anything else is 409 with `allowed`:\n\n| From | To |\n| --- | --- |\n' + transitions,
    whoMayCall(
      { partner: `status and engagement events on a referral delivered to its organisation`, planner: '`cancelled`, on a referral its own organisation sent' },
      'A referral of another organisation, or one not yet delivered to the partner,',
    ),
  ),
  request: {
    params: IdParam,
    body: {
      required: true,
      description: 'One event.',
      ...jsonExamples(EventInput, {
        accepted: { summary: 'Eastside Housing accepts', value: examples.event.inputs.accepted },
        intake: { summary: 'An intake appointment, with a housing note', value: examples.event.inputs.intakeScheduled },
        rejected: { summary: 'A rejection, with its reason', value: examples.event.inputs.rejected },
        cancelled: { summary: 'County Probation cancels', value: examples.event.inputs.cancelled },
      }),
    },
  },
  responses: {
    201: { description: 'Recorded; `status` is the referral’s new status', ...json(EventCreated, examples.event.created) },
    ...problems(400, 401, {
      403: { description: 'The caller’s role may not call this, or may not post this type of event (`detail` lists what it may post)', example: forbidden('the referring organisation may post only: cancelled') },
      404: 'No such referral, or one the caller may not see',
      409: 'The state machine does not allow this event now; `allowed` lists what it does allow',
    }, 413, 415, 429, 503),
  },
});
const timelineRoute = createRoute({
  method: 'get', path: '/v1/referrals/{id}/timeline', tags, operationId: 'getReferralTimeline',
  summary: 'The referral’s timeline, oldest first',
  description: described(
    'The hub’s events (`created`, `queued`, `awaiting_consent`, `delivered`, `delivery_failed`, `sla_breached`) and the partner’s, oldest first. ' +
      'Events reported by a 42 CFR Part 2 program appear only as `{id, type: "withheld", occurredAt}` unless a basis permits the referring organisation `substance_use` data from that program. ' +
      'A partner’s note appears only under a basis that permits its category from that partner; every note shown is recorded as a disclosure.',
    whoMayCall({ planner: 'a referral its own organisation sent (the timeline belongs to the referring organisation)' }, 'A referral of another organisation'),
  ),
  request: { params: IdParam },
  responses: {
    200: { description: 'The timeline', ...json(Timeline, examples.timeline) },
    ...problems(400, 401, 403, { 404: 'No such referral, or one the caller may not see' }, 429, 503),
  },
});

export function registerEventRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(postRoute, async (c) => {
    const caller = requireOrgRole(c, 'planner', 'partner');
    return c.json(await postEvent(hub, caller, c.req.valid('param').id, c.req.valid('json')), 201);
  });
  app.openapi(timelineRoute, async (c) => {
    // The timeline belongs to the referring organisation (docs/api.md); it carries notes and Part 2 reports.
    const caller = requireRole(c, 'planner');
    return c.json({ items: await timeline(hub, caller, c.req.valid('param').id) }, 200);
  });
}
