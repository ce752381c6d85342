import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { transaction } from '../../db/connect.js';
import { newId } from '../../lib/ids.js';
import { notFound } from '../../lib/errors.js';
import { IdParam, errorResponses, json } from '../../schemas/common.js';
import { Participant, ParticipantInput } from '../../schemas/participant.js';
import { appendAudit } from '../../store/audit.js';
import { getParticipant, insertParticipant } from '../../store/participants.js';
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
    const input = c.req.valid('json');
    // The record and its audit entry commit together, or neither does.
    const participant = await transaction(hub.sql, async (tx) => {
      const created = await insertParticipant(tx, hub.keyring, newId('par'), caller.organizationId, input);
      await appendAudit(tx, { actor: caller.clientId, action: 'participant.created', subject: created.id });
      return created;
    });
    const { organizationId: _org, ...body } = participant;
    return c.json(body, 201);
  });

  app.openapi(getRoute, async (c) => {
    const caller = requireOrgRole(c, 'planner', 'compliance');
    const participant = await getParticipant(hub.sql, hub.keyring, c.req.valid('param').id);
    // Another organisation's participant does not exist, as far as this caller can tell.
    if (!participant || participant.organizationId !== caller.organizationId) throw notFound('participant');
    await appendAudit(hub.sql, { actor: caller.clientId, action: 'participant.read', subject: participant.id });
    const { organizationId: _org, ...body } = participant;
    return c.json(body, 200);
  });
}
