import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { generateSecret } from '../../adapters/webhook/sign.js';
import { newId } from '../../lib/ids.js';
import { notFound } from '../../lib/errors.js';
import { page } from '../../lib/cursor.js';
import { IdParam, ListQuery, listOf } from '../../schemas/common.js';
import { Client, ClientInput, Organization, OrganizationInput, OrganizationPatch, type AdapterInput } from '../../schemas/organization.js';
import { appendAudit } from '../../store/audit.js';
import { insertClient } from '../../store/clients.js';
import {
  getOrganization,
  insertOrganization,
  listOrganizations,
  updateOrganization,
  type AdapterSecrets,
  type OrganizationRow,
  type StoredAdapter,
} from '../../store/organizations.js';
import { assertPublicUrl, UnsafeTargetError } from '../../lib/net/ssrf.js';
import { generateNotifyToken } from './fhir-notify.js';
import { badRequest, unavailable } from '../../lib/errors.js';
import type { AppEnv } from '../context.js';
import type { Hub } from '../../services/hub.js';
import { requireRole } from '../roles.js';
import * as examples from '../openapi-examples.js';
import { described, json, jsonExamples, problems, whoMayCall } from '../openapi.js';

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

function view(org: OrganizationRow, webhookSecret?: string, notifyToken?: string) {
  const adapter =
    org.adapter.type === 'fhir'
      ? {
          type: 'fhir' as const, baseUrl: org.adapter.baseUrl, pollIntervalSeconds: org.adapter.pollIntervalSeconds,
          auth: org.adapter.auth?.type === 'smart' ? { ...org.adapter.auth } : { type: org.adapter.auth?.type ?? 'none' },
        }
      : org.adapter;
  return {
    id: org.id, name: org.name, kind: org.kind, part2Program: org.part2Program, adapter, createdAt: org.createdAt,
    ...(org.sla ? { sla: org.sla } : {}),
    ...(webhookSecret ? { webhookSecret } : {}), ...(notifyToken ? { notifyToken } : {}),
  };
}

/**
 * The SSRF guard at registration, for every URL the hub will call (partner targets, token
 * endpoints, client JWKS URLs): a refusal names the field. The guard runs again on the address
 * actually connected to, since the name may resolve elsewhere later (DNS rebinding).
 */
async function assertRegisteredUrlIsPublic(hub: Hub, field: string, url: string) {
  try {
    await assertPublicUrl(url, { allowPrivate: hub.config.HUB_ALLOW_PRIVATE_TARGETS });
  } catch (error) {
    if (error instanceof UnsafeTargetError) throw badRequest(error.message, [{ path: field, message: error.message }]);
    // A host that does not resolve is the caller's mistake (400); a DNS failure is a 503, not a 500.
    const { syscall, code } = error as NodeJS.ErrnoException;
    if (syscall === 'getaddrinfo' && (code === 'ENOTFOUND' || code === 'ENODATA')) {
      throw badRequest(`the host of ${field} does not resolve`, [{ path: field, message: 'the host does not resolve' }]);
    }
    if (syscall === 'getaddrinfo') throw unavailable(`the host of ${field} could not be resolved now; try again shortly`);
    throw error;
  }
}

/** Splits adapter input into what is stored in the clear and the secrets, which are encrypted. */
async function prepareAdapter(hub: Hub, input: AdapterInput) {
  // Every URL the hub will call: the target, and a SMART partner's token endpoint.
  const targets: [string, string][] =
    input.type === 'webhook' ? [['url', input.url]]
    : input.type === 'fhir' ? [['baseUrl', input.baseUrl], ...(input.auth?.type === 'smart' ? [['auth.tokenUrl', input.auth.tokenUrl] as [string, string]] : [])]
    : [];
  for (const [urlField, url] of targets) await assertRegisteredUrlIsPublic(hub, `adapter.${urlField}`, url);
  let stored: StoredAdapter;
  let secrets: AdapterSecrets | undefined;
  let generatedSecret: string | undefined;
  let notifyToken: string | undefined;
  if (input.type === 'webhook') {
    generatedSecret = input.secret ? undefined : generateSecret();
    secrets = { webhookSecret: input.secret ?? generatedSecret! };
    stored = { type: 'webhook', url: input.url };
  } else if (input.type === 'fhir') {
    // Every FHIR partner gets a token for its rest-hook subscription (POST /fhir/notify/{id}).
    notifyToken = generateNotifyToken();
    secrets = { ...(input.auth?.type === 'bearer' ? { fhirToken: input.auth.token } : {}), fhirNotifyToken: notifyToken };
    const auth = input.auth?.type === 'smart'
      ? { type: 'smart' as const, tokenUrl: input.auth.tokenUrl, clientId: input.auth.clientId, ...(input.auth.scope ? { scope: input.auth.scope } : {}) }
      : { type: input.auth?.type ?? 'none' as const };
    stored = { type: 'fhir', baseUrl: input.baseUrl, auth, pollIntervalSeconds: input.pollIntervalSeconds };
  } else {
    stored = { type: 'portal' };
  }
  return { stored, secretJwe: secrets ? await hub.keyring.encrypt(secrets) : null, generatedSecret, notifyToken };
}

export function registerOrganizationRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(createOrganization, async (c) => {
    const caller = requireRole(c, 'admin');
    const input = c.req.valid('json');
    const adapter = await prepareAdapter(hub, input.adapter);
    const org = await insertOrganization(hub.sql, {
      id: newId('org'), name: input.name, kind: input.kind, part2Program: input.part2Program, adapter: adapter.stored, secretJwe: adapter.secretJwe,
      sla: input.sla ?? null,
    });
    await appendAudit(hub.sql, { actor: caller.clientId, action: 'organization.created', subject: org.id, detail: { kind: org.kind } });
    return c.json(view(org, adapter.generatedSecret, adapter.notifyToken), 201);
  });

  app.openapi(listRoute, async (c) => {
    requireRole(c, 'admin', 'manager');
    const { limit, cursor } = c.req.valid('query');
    return c.json(page(await listOrganizations(hub.sql, limit, cursor), limit, (o) => view(o)), 200);
  });

  app.openapi(getRoute, async (c) => {
    const caller = requireRole(c, 'admin', 'planner', 'partner', 'compliance', 'manager');
    const { id } = c.req.valid('param');
    const org = await getOrganization(hub.sql, id);
    // Others see their own organisation only; the directory of partners is for the admin and for
    // program managers, whose reports name partners.
    const wholeDirectory = caller.role === 'admin' || caller.role === 'manager';
    if (!org || (!wholeDirectory && caller.organizationId !== id)) throw notFound('organization');
    return c.json(view(org), 200);
  });

  app.openapi(patchRoute, async (c) => {
    const caller = requireRole(c, 'admin');
    const { id } = c.req.valid('param');
    const patch = c.req.valid('json');
    const adapter = patch.adapter ? await prepareAdapter(hub, patch.adapter) : undefined;
    const org = await updateOrganization(hub.sql, id, {
      name: patch.name, part2Program: patch.part2Program, adapter: adapter?.stored, secretJwe: adapter?.secretJwe, sla: patch.sla,
    });
    if (!org) throw notFound('organization');
    await appendAudit(hub.sql, { actor: caller.clientId, action: 'organization.updated', subject: id, detail: { fields: Object.keys(patch) } });
    return c.json(view(org, adapter?.generatedSecret, adapter?.notifyToken), 200);
  });

  app.openapi(createClient, async (c) => {
    const caller = requireRole(c, 'admin');
    const input = c.req.valid('json');
    if (!(await getOrganization(hub.sql, input.organizationId))) throw notFound('organization', 'organizationId');
    if (input.jwksUri) await assertRegisteredUrlIsPublic(hub, 'jwksUri', input.jwksUri);
    const clientId = newId('cli');
    await insertClient(hub.sql, { clientId, organizationId: input.organizationId, role: input.role, jwks: (input.jwks as never) ?? null, jwksUri: input.jwksUri ?? null });
    await appendAudit(hub.sql, { actor: caller.clientId, action: 'client.created', subject: clientId, detail: { organizationId: input.organizationId, role: input.role } });
    return c.json({ clientId, organizationId: input.organizationId, role: input.role }, 201);
  });
}
