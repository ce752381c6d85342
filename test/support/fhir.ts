import { expect } from 'vitest';
import type { Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { REFERRAL_SYSTEM } from '../../adapters/fhir/index.js';
import { adultParticipant, fullCaseFile, permitConsent } from './fixtures.js';
import { STAFF_TOKEN, type FhirTestServer } from './fhir-server.js';
import { processStatusPoll } from '../../services/status-sync.js';
import { eventually, type TestHub } from './hub.js';
import type { Agency } from './delivery.js';

/** Builders for FHIR partner tests: a partner on a real FHIR server, consented referrals to it, and the partner's side of a Task. */

export const PARTNER_TOKEN = 'partner-static-token-3c1d';

export interface FhirPartner {
  id: string;
  token: string;
  notifyToken: string;
  server: FhirTestServer;
}

export async function fhirPartner(
  hub: TestHub, server: FhirTestServer, opts: { name?: string; pollIntervalSeconds?: number; part2Program?: boolean; auth?: Record<string, unknown> } = {},
): Promise<FhirPartner> {
  const created = await hub.api.request('POST', '/v1/organizations', {
    token: hub.adminToken,
    body: {
      name: opts.name ?? 'Riverside Behavioral Health', kind: 'behavioral_health', part2Program: opts.part2Program ?? false,
      adapter: { type: 'fhir', baseUrl: server.baseUrl, auth: opts.auth ?? { type: 'bearer', token: PARTNER_TOKEN }, pollIntervalSeconds: opts.pollIntervalSeconds ?? 1 },
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: created.body.id, token: await hub.client(created.body.id, 'partner'), notifyToken: created.body.notifyToken, server };
}

/** A new participant of the agency with a consent letting `partnerId` see `categories`, and a referral with every category to it. */
export async function consentedReferral(hub: TestHub, agency: Agency, partnerId: string, categories: string[], extra: Record<string, unknown> = {}) {
  const participant = await hub.api.request('POST', '/v1/participants', { token: agency.planner, body: adultParticipant });
  expect(participant.status).toBe(201);
  const consent = await hub.api.request('POST', '/v1/consents', { token: agency.compliance, body: permitConsent(participant.body.id, partnerId, categories) });
  expect(consent.status, JSON.stringify(consent.body)).toBe(201);
  const referral = await hub.api.request('POST', '/v1/referrals', {
    token: agency.planner,
    body: { participantId: participant.body.id, partnerId, service: 'mental_health', purpose: 'treatment', reason: 'Needs an intake assessment', caseFile: fullCaseFile(), ...extra },
  });
  expect(referral.status, JSON.stringify(referral.body)).toBe(201);
  return { id: referral.body.id as string, participantId: participant.body.id as string, status: referral.body.status as string };
}

const hasReferralId = (r: { identifier?: { system?: string; value?: string }[] }, id: string) => r.identifier?.some((i) => i.system === REFERRAL_SYSTEM && i.value === id) ?? false;

export async function tasksFor(server: FhirTestServer, referralId: string): Promise<Task[]> {
  return (await server.resources<Task>('Task')).filter((t) => hasReferralId(t, referralId));
}

export async function serviceRequestsFor(server: FhirTestServer, referralId: string): Promise<ServiceRequest[]> {
  return (await server.resources<ServiceRequest>('ServiceRequest')).filter((r) => hasReferralId(r, referralId));
}

/** The partner's clinician changes the Task on its own server: a real PUT with If-Match, as an EHR would. */
export async function partnerUpdatesTask(server: FhirTestServer, referralId: string, change: Partial<Task>): Promise<Task> {
  const [task] = await tasksFor(server, referralId);
  expect(task, `a Task for ${referralId}`).toBeDefined();
  const res = await fetch(`${server.baseUrl}/Task/${task!.id}`, {
    method: 'PUT',
    // The partner's own staff: accepted by a server that requires a bearer token.
    headers: { 'content-type': 'application/fhir+json', 'if-match': `W/"${task!.meta!.versionId}"`, authorization: `Bearer ${STAFF_TOKEN}` },
    body: JSON.stringify({ ...task, ...change }),
  });
  const body = (await res.json()) as Resource;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Task;
}

/**
 * Waits until the hub has read everything the test did on the partner's server, and answers what
 * a poll that started after it applied: the final fact an assertion that a change was *not*
 * applied needs, instead of sleeping for a poll interval.
 *
 * 1. One poll run to its end now, started after the test's changes. A scheduled poll running
 *    alongside takes the same referral row locks, so whatever either applies has committed once
 *    this returns.
 * 2. The hub's own poll loop then completes a poll too (`fhir_poll_state.polled_at` moves past the
 *    one above): the loop is running, and it has read past the change as well.
 */
export async function pollsCaughtUp(hub: TestHub, partnerId: string, timeoutMs = 10_000) {
  const result = await processStatusPoll(hub.running.hub, partnerId);
  expect(result.error).toBeUndefined();
  // As text: the database's microseconds, which a JavaScript Date would round away.
  const [mark] = await hub.db.sql<{ at: string }[]>`SELECT polled_at::text AS at FROM fhir_poll_state WHERE partner_id = ${partnerId}`;
  await eventually(async () => {
    const [row] = await hub.db.sql`SELECT 1 FROM fhir_poll_state WHERE partner_id = ${partnerId} AND polled_at > ${mark!.at}::timestamptz`;
    return row ? true : undefined;
  }, timeoutMs, `the hub's next poll of ${partnerId}`);
  return result;
}
