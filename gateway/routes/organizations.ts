import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AdapterInput, AdapterView } from '../../adapters/index.js';
import { IdParam, ListQuery, listOf } from '../../schemas/common.js';
import { Client, ClientInput, organizationSchemas } from '../../schemas/organization.js';
import type { Hub } from '../../services/hub.js';
import * as organizations from '../../services/organizations.js';
import type { AppEnv } from '../context.js';
import { requireRole } from '../roles.js';
import * as examples from '../openapi-examples.js';
import { described, json, jsonExamples, problems, whoMayCall } from '../openapi.js';

/** The organisation's shapes around the adapter union that the partner kinds declare (adapters/registry.ts). */
const { OrganizationInput, OrganizationPatch, Organization } = organizationSchemas({ input: AdapterInput, view: AdapterView });

const tags = ['Organizations and clients'];
const admin = (scope: string, outOfScope?: string) => whoMayCall({ admin: scope }, outOfScope);
/** Registering or changing an adapter resolves its URLs: a name server that does not answer is a 503. */
const adapterProblems = problems(400, 401, 403, 413, 415, 429, {
  503: 'The database is not reachable, or the adapter’s host name could not be resolved right now; try again shortly',
});

const createOrganization = createRoute({
  method: 'post', path: '/v1/organizations', tags, operationId: 'createOrganization',
  summary: 'Register an organisation (a referring agency or a partner) and its adapter',
  description: described(
    'The adapter says how referrals reach the organisation: `webhook` (signed Standard Webhooks POSTs to `url`; the hub generates the secret unless one is given, and shows it once), ' +
      '`fhir` (resources written onto the partner’s FHIR R4 server, its Task followed for status; the answer carries a `notifyToken` once, for its rest-hook subscription), ' +
      'or `portal` (nothing pushed: the partner reads `GET /v1/referrals`). Every URL is checked when registered: http(s) only, and no private, loopback, link-local or metadata address unless the operator allows it. ' +
      '`part2Program` marks a 42 CFR Part 2 program, whose status reports reach the referrer only under a basis that permits `substance_use` from it. `sla` sets service-level timers.',
    admin('any organisation'),
  ),
  request: {
    body: {
      required: true,
      description: 'The organisation and its adapter.',
      ...jsonExamples(OrganizationInput, {
        partner: { summary: 'Eastside Housing, a partner that takes webhooks', value: examples.organizationInput.housing },
        referrer: { summary: 'County Probation, which refers (and reads its own referrals through the API)', value: examples.organizationInput.probation },
      }),
    },
  },
  responses: {
    201: { description: 'Created; `webhookSecret` or `notifyToken` is shown this once', ...json(Organization, examples.organization.created) },
    ...adapterProblems,
  },
});
const listRoute = createRoute({
  method: 'get', path: '/v1/organizations', tags, operationId: 'listOrganizations',
  summary: 'List the organisations on the hub',
  description: described(
    'The directory of organisations, newest first, cursor-paginated. Secrets are never shown.',
    // A program manager names partners in the indicators report grouped by partner: the directory is no participant data.
    whoMayCall({ admin: 'every organisation', manager: 'every organisation, to name the partners of the indicators report' }),
  ),
  request: { query: ListQuery },
  responses: {
    200: { description: 'Organisations, newest first', ...json(listOf(Organization, 'OrganizationList'), examples.organization.list) },
    ...problems(400, 401, 403, 429, 503),
  },
});
const getRoute = createRoute({
  method: 'get', path: '/v1/organizations/{id}', tags, operationId: 'getOrganization',
  summary: 'Read an organisation',
  description: described(
    'The organisation, its adapter (without secrets or tokens) and its service-level timers.',
    whoMayCall(
      { admin: 'any organisation', planner: 'its own organisation', partner: 'its own organisation', compliance: 'its own organisation', manager: 'any organisation (the partners its indicators report names)' },
      'For `planner`, `partner` and `compliance`, another organisation',
    ),
  ),
  request: { params: IdParam },
  responses: {
    200: { description: 'The organisation', ...json(Organization, examples.organization.read) },
    ...problems(400, 401, 403, { 404: 'No such organisation, or (for a planner, partner or compliance officer) another organisation' }, 429, 503),
  },
});
const patchRoute = createRoute({
  method: 'patch', path: '/v1/organizations/{id}', tags, operationId: 'updateOrganization',
  summary: 'Change an organisation’s name, Part 2 status, adapter or timers',
  description: described(
    'Only the fields sent change. A new adapter replaces the old one whole, with a new generated secret or notify token shown once; `"sla": null` removes the timers. ' +
      'Changed timers apply to referrals already open.',
    admin('any organisation', 'An unknown organisation'),
  ),
  request: { params: IdParam, body: { required: true, description: 'The fields to change.', ...json(OrganizationPatch, examples.organization.patch) } },
  responses: {
    200: { description: 'Updated', ...json(Organization, examples.organization.patched) },
    ...adapterProblems,
    ...problems({ 404: 'No such organisation' }),
  },
});
const createClient = createRoute({
  method: 'post', path: '/v1/clients', tags, operationId: 'createClient',
  summary: 'Register a system client (its public keys) for an organisation',
  description: described(
    'A client is one system acting for one organisation in one role (`planner`, `partner`, `compliance` or `manager`). Give its public keys as a JWKS (`jwks`) or where to fetch them (`jwksUri`); ' +
      'it then gets access tokens at `POST /oauth/token` with assertions signed by the matching private key. The hub never sees the private key.',
    admin('for any organisation', 'An unknown `organizationId`'),
  ),
  request: { body: { required: true, description: 'The organisation, the role and the public keys.', ...json(ClientInput, examples.client.input) } },
  responses: {
    201: { description: 'Created: use `clientId` as the assertion’s `iss` and `sub`', ...json(Client, examples.client.created) },
    ...problems(400, 401, 403, { 404: 'No such organisation (`organizationId`)' }, 413, 415, 429, 503),
  },
});

export function registerOrganizationRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(createOrganization, async (c) => {
    const caller = requireRole(c, 'admin');
    return c.json(await organizations.createOrganization(hub, caller, c.req.valid('json')), 201);
  });

  app.openapi(listRoute, async (c) => {
    requireRole(c, 'admin', 'manager');
    return c.json(await organizations.listOrganizations(hub, c.req.valid('query')), 200);
  });

  app.openapi(getRoute, async (c) => {
    const caller = requireRole(c, 'admin', 'planner', 'partner', 'compliance', 'manager');
    return c.json(await organizations.readOrganization(hub, caller, c.req.valid('param').id), 200);
  });

  app.openapi(patchRoute, async (c) => {
    const caller = requireRole(c, 'admin');
    return c.json(await organizations.updateOrganization(hub, caller, c.req.valid('param').id, c.req.valid('json')), 200);
  });

  app.openapi(createClient, async (c) => {
    const caller = requireRole(c, 'admin');
    return c.json(await organizations.registerClient(hub, caller, c.req.valid('json')), 201);
  });
}
