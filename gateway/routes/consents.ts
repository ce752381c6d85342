import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParam, errorResponses, problem } from '../../schemas/common.js';
import { Consent, ConsentInput, RevokeInput } from '../../schemas/consent.js';
import { Id } from '../../schemas/common.js';
import { listConsents } from '../../store/consents.js';
import { getParticipantRef } from '../../store/participants.js';
import { createConsent, getOwnConsent, revoke } from '../../services/consents.js';
import { notFound } from '../../lib/errors.js';
import type { AppEnv, Hub } from '../context.js';
import { requireOrgRole } from '../roles.js';

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const tags = ['Consent'];

const createRoute_ = createRoute({
  method: 'post', path: '/v1/consents', tags, summary: 'Record a consent, court order or statute basis',
  request: { body: { required: true, ...json(ConsentInput) } },
  responses: { 201: { description: 'Recorded', ...json(Consent) }, ...errorResponses, 422: problem('Missing signatures or documents') },
});
const listRoute = createRoute({
  method: 'get', path: '/v1/consents', tags, request: { query: z.object({ participantId: Id }) },
  responses: { 200: { description: 'The participant’s bases, newest first', ...json(z.object({ items: z.array(Consent), nextCursor: z.null() })) }, ...errorResponses },
});
const getRoute = createRoute({
  method: 'get', path: '/v1/consents/{id}', tags, request: { params: IdParam },
  responses: { 200: { description: 'The consent', ...json(Consent) }, ...errorResponses },
});
const revokeRoute = createRoute({
  method: 'post', path: '/v1/consents/{id}/revoke', tags, summary: 'Revoke: every later decision, including queued deliveries, no longer rests on it',
  request: { params: IdParam, body: { required: true, ...json(RevokeInput) } },
  responses: { 200: { description: 'Revoked', ...json(Consent) }, ...errorResponses, 409: problem('Already revoked') },
});

export function registerConsentRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(createRoute_, async (c) => {
    const caller = requireOrgRole(c, 'compliance');
    return c.json(await createConsent(hub, caller, c.req.valid('json')), 201);
  });
  app.openapi(listRoute, async (c) => {
    const caller = requireOrgRole(c, 'compliance');
    const { participantId } = c.req.valid('query');
    const participant = await getParticipantRef(hub.sql, participantId);
    if (!participant || participant.organizationId !== caller.organizationId) throw notFound('participant', 'participantId');
    return c.json({ items: await listConsents(hub.sql, participantId), nextCursor: null }, 200);
  });
  app.openapi(getRoute, async (c) => {
    const caller = requireOrgRole(c, 'compliance');
    return c.json(await getOwnConsent(hub, caller, c.req.valid('param').id), 200);
  });
  app.openapi(revokeRoute, async (c) => {
    const caller = requireOrgRole(c, 'compliance');
    return c.json(await revoke(hub, caller, c.req.valid('param').id, c.req.valid('json').reason), 200);
  });
}
