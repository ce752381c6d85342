import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { Id, IdParam, errorResponses, json, problem } from '../../schemas/common.js';
import { Consent, ConsentInput, RevokeInput, type ConsentInput as ConsentInputType } from '../../schemas/consent.js';
import { createConsent, getOwnConsent, listOwnConsents, revoke } from '../../services/consents.js';
import { badRequest, unprocessable } from '../../lib/errors.js';
import { fromFhirConsent, toFhirConsent } from '../../consent/index.js';
import { rejectNulCharacters, validationError } from '../problem.js';

const FhirConsent = z.looseObject({ resourceType: z.literal('Consent') }).openapi('FhirConsent', {
  description: 'An HL7 FHIR R4 Consent resource; see docs/consent-fhir-mapping.md for the mapping.',
});
import type { AppEnv, Hub } from '../context.js';
import { requireOrgRole } from '../roles.js';

const tags = ['Consent'];

const createRoute_ = createRoute({
  method: 'post', path: '/v1/consents', tags, summary: 'Record a consent, court order or statute basis',
  request: { body: { required: true, ...json(ConsentInput) } },
  responses: {
    201: { description: 'Recorded (as FHIR when the request says Accept: application/fhir+json)', content: { 'application/json': { schema: Consent }, 'application/fhir+json': { schema: FhirConsent } } },
    ...errorResponses,
    422: problem('Missing signatures or documents, or FHIR content that cannot be mapped'),
  },
});
const listRoute = createRoute({
  method: 'get', path: '/v1/consents', tags, request: { query: z.object({ participantId: Id }) },
  responses: { 200: { description: 'The participant’s bases, newest first', ...json(z.object({ items: z.array(Consent), nextCursor: z.null() })) }, ...errorResponses },
});
const getRoute = createRoute({
  method: 'get', path: '/v1/consents/{id}', tags, request: { params: IdParam },
  responses: {
    200: { description: 'The consent; an R4 Consent with Accept: application/fhir+json', content: { 'application/json': { schema: Consent }, 'application/fhir+json': { schema: FhirConsent } } },
    ...errorResponses,
  },
});
const revokeRoute = createRoute({
  method: 'post', path: '/v1/consents/{id}/revoke', tags, summary: 'Revoke: every later decision, including queued deliveries, no longer rests on it',
  request: { params: IdParam, body: { required: true, ...json(RevokeInput) } },
  responses: { 200: { description: 'Revoked', ...json(Consent) }, ...errorResponses, 409: problem('Already revoked') },
});

const FHIR_JSON = 'application/fhir+json';

/**
 * The FHIR body of POST /v1/consents is handled before validation, so it is not declared on the
 * route (zod-openapi would validate JSON bodies against it); it is added to the document here.
 */
export function withAlternateBodies<T>(document: T): T {
  const post = (document as { paths?: Record<string, { post?: { requestBody?: { content?: Record<string, unknown> } } }> }).paths?.['/v1/consents']?.post;
  if (post?.requestBody?.content) post.requestBody.content[FHIR_JSON] = { schema: { $ref: '#/components/schemas/FhirConsent' } };
  return document;
}
const wantsFhir = (accept: string | undefined) => Boolean(accept?.includes(FHIR_JSON));

export function registerConsentRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  // A FHIR R4 Consent (application/fhir+json) is mapped onto the same model, then takes the same
  // path as JSON input. Declared as a second content type of the route below, handled here.
  app.use('/v1/consents', async (c, next) => {
    if (c.req.method !== 'POST' || !c.req.header('content-type')?.includes(FHIR_JSON)) return next();
    const caller = requireOrgRole(c, 'compliance');
    let resource: unknown;
    try {
      resource = await c.req.json();
    } catch {
      throw badRequest('the request body is not valid JSON', [{ path: 'body', message: 'malformed JSON' }]);
    }
    const mapped = fromFhirConsent(resource);
    if (!mapped.ok) throw unprocessable(`the FHIR Consent cannot be mapped: ${mapped.problems.map((p) => p.path).join(', ')}`, mapped.problems);
    const input = ConsentInput.safeParse(mapped.input);
    if (!input.success) throw validationError(input.error, 'json');
    rejectNulCharacters(input.data);
    const created = await createConsent(hub, caller, input.data, mapped.status === 'expired' ? 'expired' : undefined);
    if (wantsFhir(c.req.header('accept'))) return c.body(JSON.stringify(toFhirConsent(created)), 201, { 'content-type': FHIR_JSON });
    return c.json(created, 201);
  });

  app.use('/v1/consents/:id', async (c, next) => {
    if (c.req.method !== 'GET' || !wantsFhir(c.req.header('accept')) || !/^[a-z]{2,4}_[A-Za-z0-9_-]{22}$/.test(c.req.param('id'))) return next();
    const caller = requireOrgRole(c, 'compliance');
    const consent = await getOwnConsent(hub, caller, c.req.param('id'));
    return c.body(JSON.stringify(toFhirConsent(consent)), 200, { 'content-type': FHIR_JSON });
  });

  app.openapi(createRoute_, async (c) => {
    const caller = requireOrgRole(c, 'compliance');
    // FHIR bodies were handled above; what reaches here is the JSON model.
    return c.json(await createConsent(hub, caller, c.req.valid('json') as ConsentInputType), 201);
  });
  app.openapi(listRoute, async (c) => {
    const caller = requireOrgRole(c, 'compliance');
    const { participantId } = c.req.valid('query');
    return c.json({ items: await listOwnConsents(hub, caller, participantId), nextCursor: null }, 200);
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
