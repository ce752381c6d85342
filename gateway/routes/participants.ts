import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParam } from '../../schemas/common.js';
import { Participant, ParticipantInput } from '../../schemas/participant.js';
import { enrolParticipant, readParticipant } from '../../services/participants.js';
import type { AppEnv } from '../context.js';
import type { Hub } from '../../services/hub.js';
import { requireOrgRole } from '../roles.js';
import * as examples from '../openapi-examples.js';
import { described, json, problems, whoMayCall } from '../openapi.js';

const tags = ['Participants'];

const createParticipant = createRoute({
  method: 'post', path: '/v1/participants', tags, operationId: 'createParticipant',
  summary: 'Enrol a participant in the planner’s organisation',
  description: described(
    'The participant belongs to the planner’s organisation from now on; other organisations never see the record, only what consent lets a partner see in a referral’s case file. ' +
      'The record is stored encrypted. `minor` is worked out from `birthDate` (under 18 today); a minor’s consent needs a guardian’s signature.',
    whoMayCall({ planner: 'for its own organisation' }),
  ),
  request: { body: { required: true, description: 'The participant.', ...json(ParticipantInput, examples.participant.input) } },
  responses: {
    201: { description: 'Enrolled', ...json(Participant, examples.participant.created) },
    ...problems(400, 401, 403, 413, 415, 429, 503),
  },
});
const getRoute = createRoute({
  method: 'get', path: '/v1/participants/{id}', tags, operationId: 'getParticipant',
  summary: 'Read a participant',
  description: described('The participant as enrolled. Every read is audited.', whoMayCall({ planner: 'a participant its own organisation enrolled', compliance: 'a participant its own organisation enrolled' }, 'A participant of another organisation')),
  request: { params: IdParam },
  responses: {
    200: { description: 'The participant', ...json(Participant, examples.participant.created) },
    ...problems(400, 401, 403, { 404: 'No such participant, or one of another organisation' }, 429, 503),
  },
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
