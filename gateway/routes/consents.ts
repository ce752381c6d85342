import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { Id, IdParam } from '../../schemas/common.js';
import { Consent, ConsentInput, RevokeInput, type ConsentInput as ConsentInputType } from '../../schemas/consent.js';
import { createConsent, getOwnConsent, listOwnConsents, revoke } from '../../services/consents.js';
import { badRequest, conflict, unprocessable } from '../../lib/errors.js';
import { ID_PATTERN } from '../../lib/ids.js';
import { fromFhirConsent, toFhirConsent } from '../../consent/index.js';
import { rejectNulCharacters, validationError } from '../problem.js';

const FhirConsent = z.looseObject({ resourceType: z.literal('Consent').openapi({ description: 'Always `Consent`.' }) }).openapi('FhirConsent', {
  description:
    'An HL7 FHIR R4 Consent resource: `patient` is `Patient/<participant id>`, actors are `Organization/<id>` references with v3 ParticipationType roles ' +
    '(`IRCP`/`PRCP` recipient, `CST` source), purposes v3 ActReason codes (`TREAT`, `CAREMGT`, `HPAYMT`, `HLEGAL`), and categories `urn:referral-hub:data-category` codes ' +
    'or the HL7 sensitivity codes `ETH`, `SUD`, `PSY`, `MH`. The full mapping is in docs/consent-fhir-mapping.md in the repository.',
});
import type { AppEnv } from '../context.js';
import type { Hub } from '../../services/hub.js';
import { requireOrgRole } from '../roles.js';
import * as examples from '../openapi-examples.js';
import { described, json, jsonExamples, problems, whoMayCall } from '../openapi.js';

const tags = ['Consent'];
const compliance = (scope: string) => whoMayCall({ compliance: scope }, 'A participant or consent of another organisation');

const createRoute_ = createRoute({
  method: 'post', path: '/v1/consents', tags, operationId: 'createConsent',
  summary: 'Record a consent, court order or statute basis',
  description: described(
    'Records the basis on which the participant’s data may go to partners, as a FHIR R4 Consent-style provision tree: a root rule (`permit` or `deny`) ' +
      'with nested provisions that are exceptions to their parent, each limited by actors, purposes, data categories and a period (an absent list matches everything). ' +
      'An explicit deny beats a permit, also across consents. A `consent` basis needs the participant’s signature (and a guardian’s for a minor, except `substance_use` from age 12); ' +
      '`court_order` and `statute` bases need a `documentRef`. `warnings` name what a compliance officer should look at, such as a substance-use permit without an end date (42 CFR 2.31). ' +
      'Referrals waiting as `awaiting_consent` go out within seconds once a basis lets their partner see the participant.\n\n' +
      'Also takes an R4 `Consent` resource as `application/fhir+json`; answers in FHIR when the request says `Accept: application/fhir+json`. A consent recorded after its period ended is `expired`.',
    compliance('for a participant its own organisation enrolled'),
  ),
  request: {
    body: {
      required: true,
      description: 'The basis, as the hub’s JSON model or as an R4 Consent resource.',
      ...jsonExamples(ConsentInput, {
        walkthrough: { summary: 'Jordan Rivera lets Eastside Housing see identity, contact and housing data for care coordination, for a year', value: examples.consent.input },
        criminalJustice: {
          summary: 'A Part 2 program may report substance-use information back to probation, irrevocable until the case is disposed (42 CFR 2.35)',
          value: {
            ...examples.consent.input,
            provision: {
              type: 'permit', purposes: ['court_reporting'], categories: ['substance_use'],
              actors: [{ role: 'source', organizationId: examples.ids.recovery }, { role: 'recipient', organizationId: examples.ids.probation }],
            },
            irrevocable: { event: 'the final disposition of case 26-CR-0114' },
          },
        },
        exception: {
          summary: 'Everything to a treatment provider, except substance-use data',
          value: {
            ...examples.consent.input,
            provision: { type: 'permit', actors: [{ organizationId: examples.ids.housing }], purposes: ['treatment'], provisions: [{ type: 'deny', categories: ['substance_use'] }] },
          },
        },
      }),
    },
  },
  responses: {
    201: {
      description: 'Recorded (as FHIR when the request says Accept: application/fhir+json)',
      content: { 'application/json': { schema: Consent, example: examples.consentViews.created }, 'application/fhir+json': { schema: FhirConsent } },
    },
    ...problems(400, 401, 403, { 404: 'No such participant in the caller’s organisation (`participantId`)' }, 413, 415),
    ...problems({ 422: 'Missing signatures or documents, or a FHIR Consent with content that cannot be mapped; `errors` names each' }, 429, 503),
  },
});
const listRoute = createRoute({
  method: 'get', path: '/v1/consents', tags, operationId: 'listConsents',
  summary: 'List a participant’s consents and other bases',
  description: described('Every basis recorded for the participant, active, revoked or expired, newest first.', compliance('for a participant its own organisation enrolled')),
  request: { query: z.object({ participantId: Id.openapi({ description: 'The participant whose bases to list.', example: examples.ids.participant }) }) },
  responses: {
    200: {
      description: 'The participant’s bases, newest first',
      ...json(z.object({
        items: z.array(Consent).openapi({ description: 'All of them: this list is not paginated.' }),
        nextCursor: z.null().openapi({ description: 'Always `null`: one page holds every basis.' }),
      }), examples.consentViews.list),
    },
    ...problems(400, 401, 403, { 404: 'No such participant in the caller’s organisation (`participantId`)' }, 429, 503),
  },
});
const getRoute = createRoute({
  method: 'get', path: '/v1/consents/{id}', tags, operationId: 'getConsent',
  summary: 'Read one consent, as JSON or as an R4 Consent',
  description: described('The basis as recorded. With `Accept: application/fhir+json`, the R4 `Consent` resource it maps to.', compliance('a basis of a participant its own organisation enrolled')),
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The consent; an R4 Consent with Accept: application/fhir+json',
      content: { 'application/json': { schema: Consent, example: examples.consentViews.read }, 'application/fhir+json': { schema: FhirConsent } },
    },
    ...problems(400, 401, 403, { 404: 'No such consent, or one of another organisation' }, 429, 503),
  },
});
const revokeRoute = createRoute({
  method: 'post', path: '/v1/consents/{id}/revoke', tags, operationId: 'revokeConsent',
  summary: 'Revoke a consent: no later decision rests on it',
  description: described(
    'Takes effect for every decision after this request returns: queued deliveries that relied on it go back to `awaiting_consent`, and partner reads no longer show what it permitted. ' +
      'What was disclosed before stays in the accounting of disclosures.',
    compliance('a basis of a participant its own organisation enrolled'),
  ),
  request: { params: IdParam, body: { required: true, description: 'Why the consent is revoked (kept with it, encrypted).', ...json(RevokeInput, examples.consent.revokeInput) } },
  responses: {
    200: { description: 'Revoked', ...json(Consent, examples.consentViews.revoked) },
    ...problems(400, 401, 403, { 404: 'No such consent, or one of another organisation' }),
    ...problems({ 409: { description: 'Already revoked, or a 42 CFR 2.35 consent that may not be revoked yet (`detail` says until which event)', example: conflict('this consent is already revoked', { allowed: [] }) } }, 413, 415, 429, 503),
  },
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
    if (c.req.method !== 'GET' || !wantsFhir(c.req.header('accept')) || !ID_PATTERN.test(c.req.param('id'))) return next();
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
