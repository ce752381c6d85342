import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParam, errorResponses, problem, json } from '../../schemas/common.js';
import { EventCreated, EventInput, Timeline } from '../../schemas/referral.js';
import { postEvent, timeline } from '../../services/referral-events.js';
import type { AppEnv, Hub } from '../context.js';
import { requireOrgRole, requireRole } from '../roles.js';

const tags = ['Referral events'];

const postRoute = createRoute({
  method: 'post', path: '/v1/referrals/{id}/events', tags,
  summary: 'Report a status or engagement event (partner), or cancel (planner)',
  request: { params: IdParam, body: { required: true, ...json(EventInput) } },
  responses: {
    201: { description: 'Recorded; `status` is the referral’s new status', ...json(EventCreated) },
    ...errorResponses,
    409: problem('The state machine does not allow this event now; `allowed` lists what it does allow'),
  },
});
const timelineRoute = createRoute({
  method: 'get', path: '/v1/referrals/{id}/timeline', tags, summary: 'The referral’s events, oldest first (referring organisation)',
  request: { params: IdParam },
  responses: { 200: { description: 'The timeline', ...json(Timeline) }, ...errorResponses },
});

export function registerEventRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(postRoute, async (c) => {
    const caller = requireOrgRole(c, 'planner', 'partner');
    return c.json(await postEvent(hub, caller, c.req.valid('param').id, c.req.valid('json')), 201);
  });
  app.openapi(timelineRoute, async (c) => {
    // The timeline belongs to the referring organisation (API.md); it carries notes and Part 2 reports.
    const caller = requireRole(c, 'planner');
    return c.json({ items: await timeline(hub, caller, c.req.valid('param').id) }, 200);
  });
}
