import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParam, errorResponses, json } from '../../schemas/common.js';
import { Participant, ParticipantInput } from '../../schemas/participant.js';
import { enrolParticipant, readParticipant } from '../../services/participants.js';
import type { AppEnv, Hub } from '../context.js';
import { requireOrgRole } from '../roles.js';

const tags = ['Participants'];

const createParticipant = createRoute({
  method: 'post', path: '/v1/participants', tags, summary: 'Enrol a participant in the planner’s organisation',
  request: { body: { required: true, ...json(ParticipantInput) } },
  responses: { 201: { description: 'Created', ...json(Participant) }, ...errorResponses },
});
const getRoute = createRoute({
  method: 'get', path: '/v1/participants/{id}', tags, request: { params: IdParam },
  responses: { 200: { description: 'The participant', ...json(Participant) }, ...errorResponses },
});

export function registerParticipantRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(createParticipant, async (c) => {
    const caller = requireOrgRole(c, 'planner');
    return c.json(await enrolParticipant(hub, caller, c.req.valid('json')), 201);
  });
  app.openapi(getRoute, async (c) => {
    const caller = requireOrgRole(c, 'planner', 'compliance');
    return c.json(await readParticipant(hub, caller, c.req.valid('param').id), 200);
  });
}
