import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParam } from '../../schemas/common.js';
import { Participant, ParticipantInput, ParticipantList, ParticipantLookupQuery } from '../../schemas/participant.js';
import { enrolParticipant, readParticipant } from '../../services/participants.js';
import { participantsByExternalId } from '../../services/participant-search.js';
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

const lookupRoute = createRoute({
  method: 'get', path: '/v1/participants', tags, operationId: 'findParticipants',
  summary: 'Find participants by the planner’s own id',
  description: described(
    'The participants the caller’s organisation enrolled with this `externalId`, newest first (usually one): a system that enrols from its own records finds a participant again instead of enrolling them twice. `nextCursor` is always `null`. The look-up is audited.',
    whoMayCall({ planner: 'its own organisation’s participants', compliance: 'its own organisation’s participants' }),
  ),
  request: { query: ParticipantLookupQuery },
  responses: {
    200: { description: 'The participants enrolled under that id (none: an empty list)', ...json(ParticipantList, { items: [{ ...examples.participant.created, externalId: 'CP-2026-0412' }], nextCursor: null }) },
    ...problems(400, 401, 403, 429, 503),
  },
});

export function registerParticipantRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(createParticipant, async (c) => {
    const caller = requireOrgRole(c, 'planner');
    return c.json(await enrolParticipant(hub, caller, c.req.valid('json')), 201);
  });
  app.openapi(lookupRoute, async (c) => {
    const caller = requireOrgRole(c, 'planner', 'compliance');
    return c.json(await participantsByExternalId(hub, caller, c.req.valid('query')), 200);
  });
  app.openapi(getRoute, async (c) => {
    const caller = requireOrgRole(c, 'planner', 'compliance');
    return c.json(await readParticipant(hub, caller, c.req.valid('param').id), 200);
  });
}
