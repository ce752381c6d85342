import type { Caller } from '../domain/caller.js';
import { notFound } from '../lib/errors.js';
import type { Provision } from '../schemas/consent.js';
import type { OrganizationKind, Purpose } from '../schemas/vocabulary.js';
import { recipientsOf } from '../store/disclosures.js';
import { scopedTo } from '../store/scoped.js';
import { explainAccess } from './disclosures.js';
import type { Hub } from './hub.js';

type Decision = Awaited<ReturnType<typeof explainAccess>>;

export interface MatrixRow {
  organization: { id: string; name: string; kind: OrganizationKind };
  /** What this organisation may receive from the referring organisation. */
  receive: Decision;
  /** What this organisation may report back to the referring organisation (it is the `source`). */
  reportBack: Decision;
}

/** The organisations a provision tree names by id, and the kinds it names instead of an id. */
function actorsOf(provision: Provision, ids: Set<string>, kinds: Set<OrganizationKind>) {
  for (const actor of provision.actors ?? []) {
    if (actor.organizationId) ids.add(actor.organizationId);
    else if (actor.organizationKind) kinds.add(actor.organizationKind);
  }
  for (const child of provision.provisions ?? []) actorsOf(child, ids, kinds);
}

/**
 * GET /v1/participants/{id}/access, asked for every organisation that matters to the participant,
 * both ways: each cell is the very decision explainAccess gives the API (and the hub enforces).
 * The organisations are those the participant's bases name and those the accounting shows data
 * went to, plus `also` when the officer asks about another one; bases that name only a kind of
 * organisation are returned as `kinds`, since the hub cannot list every organisation of a kind to
 * a compliance officer.
 */
export async function accessMatrix(
  hub: Pick<Hub, 'sql' | 'keyring' | 'bases' | 'clock' | 'organizations'>,
  caller: Caller & { organizationId: string },
  participantId: string,
  query: { purpose: Purpose; also?: string | undefined },
) {
  const scope = scopedTo(hub.sql, hub.keyring, caller);
  const participant = await scope.participantRef(participantId);
  const ids = new Set<string>();
  const kinds = new Set<OrganizationKind>();
  for (const basis of await scope.consentsOf(participant.id)) actorsOf(basis.provision, ids, kinds);
  for (const id of await recipientsOf(hub.sql, participant.id)) ids.add(id);
  if (query.also) {
    if (!(await hub.organizations.get(query.also))) throw notFound('organization', 'also');
    ids.add(query.also);
  }
  ids.delete(caller.organizationId);
  // One instant for every cell, so the matrix is one consistent picture.
  const at = hub.clock.now().toISOString();
  const rows: MatrixRow[] = [];
  for (const id of ids) {
    const org = await hub.organizations.get(id);
    if (!org) continue;
    const [receive, reportBack] = await Promise.all([
      explainAccess(hub, caller, participant.id, { recipient: org.id, purpose: query.purpose, at }),
      explainAccess(hub, caller, participant.id, { recipient: caller.organizationId, source: org.id, purpose: query.purpose, at }),
    ]);
    rows.push({ organization: { id: org.id, name: org.name, kind: org.kind }, receive, reportBack });
  }
  rows.sort((a, b) => a.organization.name.localeCompare(b.organization.name));
  const referrer = await hub.organizations.get(caller.organizationId);
  return { referrer: { id: caller.organizationId, name: referrer?.name ?? caller.organizationId }, at, purpose: query.purpose, rows, kinds: [...kinds].sort() };
}
