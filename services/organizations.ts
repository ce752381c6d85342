import type { z } from '@hono/zod-openapi';
import { prepareAdapter, showAdapter, type AdapterInput, type AdapterView, type ShownOnce } from '../adapters/index.js';
import { transaction } from '../db/connect.js';
import type { Caller } from '../domain/caller.js';
import { page } from '../lib/cursor.js';
import { forbidden, notFound } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { assertRegisteredUrlIsPublic } from '../lib/net/registered-url.js';
import { PROVIDER_KINDS, REFERRING_KINDS } from '../domain/service-kinds.js';
import type { ClientInput, OrganizationSchemas } from '../schemas/organization.js';
import type { OrganizationKind, Service } from '../schemas/vocabulary.js';
import { appendAudit } from '../store/audit.js';
import { insertClient } from '../store/clients.js';
import * as store from '../store/organizations.js';
import type { Hub } from './hub.js';

/**
 * Organisations and their system clients, the admin's directory: registering an organisation
 * prepares its adapter through its kind (every URL SSRF-checked, secrets generated and encrypted)
 * and audits the change in the same transaction as the change itself.
 */

type Wire = OrganizationSchemas<typeof AdapterInput, typeof AdapterView>;
export type OrganizationInput = z.infer<Wire['OrganizationInput']>;
export type OrganizationPatch = z.infer<Wire['OrganizationPatch']>;
export type OrganizationView = z.infer<Wire['Organization']>;

type Deps = Pick<Hub, 'sql' | 'keyring' | 'config'>;

/** The organisation as the API shows it: the adapter without secrets, and what is shown this once. */
function shown(org: store.OrganizationRow, once: ShownOnce = {}): OrganizationView {
  return {
    id: org.id, name: org.name, kind: org.kind, part2Program: org.part2Program, adapter: showAdapter(org.adapter), createdAt: org.createdAt,
    ...(org.sla ? { sla: org.sla } : {}),
    ...(once.webhookSecret ? { webhookSecret: once.webhookSecret } : {}), ...(once.notifyToken ? { notifyToken: once.notifyToken } : {}),
  };
}

const prepare = (hub: Deps, input: AdapterInput) => prepareAdapter(input, { keyring: hub.keyring, allowPrivate: hub.config.HUB_ALLOW_PRIVATE_TARGETS });

/** POST /v1/organizations (admin). */
export async function createOrganization(hub: Deps, caller: Caller, input: OrganizationInput): Promise<OrganizationView> {
  const adapter = await prepare(hub, input.adapter);
  const org = await transaction(hub.sql, async (tx) => {
    const created = await store.insertOrganization(tx, {
      id: newId('org'), name: input.name, kind: input.kind, part2Program: input.part2Program, adapter: adapter.stored, secretJwe: adapter.secretJwe,
      sla: input.sla ?? null,
    });
    await appendAudit(tx, { actor: caller.clientId, action: 'organization.created', subject: created.id, detail: { kind: created.kind } });
    return created;
  });
  return shown(org, adapter.shownOnce);
}

/** GET /v1/organizations (admin): the directory, newest first. */
export async function listOrganizations(hub: Deps, { limit, cursor }: { limit: number; cursor?: string | undefined }) {
  return page(await store.listOrganizations(hub.sql, limit, cursor), limit, (o) => shown(o));
}

/** GET /v1/organizations/{id}: any organisation for the admin, its own for everyone else; another is not found. */
export async function readOrganization(hub: Deps, caller: Caller, id: string): Promise<OrganizationView> {
  const org = await store.getOrganization(hub.sql, id);
  // Others see their own organisation only: the directory of partners is for the admin and for
  // program managers, whose reports name partners; nobody else learns which ids exist.
  const wholeDirectory = caller.role === 'admin' || caller.role === 'manager';
  if (!org || (!wholeDirectory && caller.organizationId !== id)) throw notFound('organization');
  return shown(org);
}

/** A directory entry: who the organisation is, never how the hub reaches it. */
export interface PartnerEntry {
  id: string;
  name: string;
  kind: OrganizationKind;
  part2Program: boolean;
}

const entryOf = (o: PartnerEntry): PartnerEntry => ({ id: o.id, name: o.name, kind: o.kind, part2Program: o.part2Program });

/** The directory holds few rows (one per organisation); more than this is a directory to search, not to list. */
const DIRECTORY_SIZE = 200;

/**
 * The partners a planner may refer to, optionally only those providing `service`
 * (domain/service-kinds.ts): names and kinds, no adapter and no participant data. A planner
 * needs the directory to choose a partner at all, as `POST /v1/referrals` takes its id.
 */
export async function partnerDirectory(hub: Pick<Hub, 'sql'>, caller: Caller, service?: Service): Promise<PartnerEntry[]> {
  if (caller.role !== 'planner' || !caller.organizationId) throw forbidden('the partner directory is for a referring organisation’s planners');
  const rows = await store.listOrganizationsOfKinds(hub.sql, service ? PROVIDER_KINDS[service] : undefined, REFERRING_KINDS, caller.organizationId, DIRECTORY_SIZE);
  return rows.map(entryOf);
}

/** More organisations than a consent form can sensibly list; the API takes any id. */
const RECIPIENT_DIRECTORY_LIMIT = 500;

/** A consent's recipient is named as a directory entry is. */
export type ConsentParty = PartnerEntry;

/**
 * The organisations a compliance officer may name in a consent, by name: 42 CFR 2.31(a)(4)
 * wants a Part 2 consent to name its recipients, so the person writing it must be able to pick
 * them. Names, kinds and the Part 2 flag only, never adapters or settings.
 */
export async function consentParties(hub: Deps, caller: Caller): Promise<ConsentParty[]> {
  if (caller.role !== 'compliance' && caller.role !== 'admin') throw forbidden('the directory of consent recipients is for compliance officers');
  const rows = await store.listOrganizations(hub.sql, RECIPIENT_DIRECTORY_LIMIT);
  return rows
    .slice(0, RECIPIENT_DIRECTORY_LIMIT)
    .map(entryOf)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** PATCH /v1/organizations/{id} (admin): a new adapter replaces the old one whole, with new secrets. */
export async function updateOrganization(hub: Deps, caller: Caller, id: string, patch: OrganizationPatch): Promise<OrganizationView> {
  const adapter = patch.adapter ? await prepare(hub, patch.adapter) : undefined;
  const org = await transaction(hub.sql, async (tx) => {
    const updated = await store.updateOrganization(tx, id, {
      name: patch.name, part2Program: patch.part2Program, adapter: adapter?.stored, secretJwe: adapter?.secretJwe, sla: patch.sla,
    });
    if (!updated) throw notFound('organization');
    await appendAudit(tx, { actor: caller.clientId, action: 'organization.updated', subject: id, detail: { fields: Object.keys(patch) } });
    return updated;
  });
  return shown(org, adapter?.shownOnce);
}

/** POST /v1/clients (admin): a system acting for one organisation in one role. */
export async function registerClient(hub: Deps, caller: Caller, input: z.infer<typeof ClientInput>) {
  if (!(await store.getOrganization(hub.sql, input.organizationId))) throw notFound('organization', 'organizationId');
  if (input.jwksUri) await assertRegisteredUrlIsPublic('jwksUri', input.jwksUri, hub.config.HUB_ALLOW_PRIVATE_TARGETS);
  const clientId = newId('cli');
  await transaction(hub.sql, async (tx) => {
    await insertClient(tx, { clientId, organizationId: input.organizationId, role: input.role, jwks: (input.jwks as never) ?? null, jwksUri: input.jwksUri ?? null });
    await appendAudit(tx, { actor: caller.clientId, action: 'client.created', subject: clientId, detail: { organizationId: input.organizationId, role: input.role } });
  });
  return { clientId, organizationId: input.organizationId, role: input.role };
}

/**
 * Names for organisation ids a page already shows (a consent's actors, a disclosure's
 * recipient): the same names the access decision's reasons carry. An unknown id keeps no name.
 */
export async function organizationNames(hub: Pick<Hub, 'organizations'>, ids: Iterable<string>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(ids)) {
    const org = await hub.organizations.get(id);
    if (org) names.set(id, org.name);
  }
  return names;
}
