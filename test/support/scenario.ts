import { expect } from 'vitest';
import type { JWK } from 'jose';
import { generateClientKey, type ClientKeyAlg } from '../../dev/keys.js';
import { adultParticipant, permitConsent } from './fixtures.js';
import { eventually, type ApiResponse, type TestHub } from './hub.js';

/** Builders shared by the API-convention tests: one agency, one partner, one participant. */

/** Asserts an RFC 9457 problem of `status` whose `errors` name each of `paths`. */
export function expectProblem(response: ApiResponse, status: number, ...paths: string[]) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  const named = ((response.body.errors ?? []) as { path: string; message: string }[]).map((e) => e.path);
  for (const path of paths) expect(named, `errors should name ${path}`).toContain(path);
}

/** Rows that a create writes; compared before and after a rejected request. */
export async function rowCounts(hub: TestHub) {
  const [row] = await hub.db.sql<Record<string, string>[]>`SELECT
      (SELECT count(*) FROM referrals) AS referrals,
      (SELECT count(*) FROM case_file_entries) AS case_file_entries,
      (SELECT count(*) FROM referral_events) AS referral_events,
      (SELECT count(*) FROM outbox) AS outbox,
      (SELECT count(*) FROM participants) AS participants,
      (SELECT count(*) FROM consents) AS consents,
      (SELECT count(*) FROM organizations) AS organizations,
      (SELECT count(*) FROM clients) AS clients,
      (SELECT count(*) FROM idempotency_keys) AS idempotency_keys`;
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}

export const referralInput = (participantId: string, partnerId: string, extra: Record<string, unknown> = {}) => ({
  participantId,
  partnerId,
  service: 'housing',
  purpose: 'care_coordination',
  reason: 'needs stable housing',
  caseFile: { identity: { name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12' }, housing: { situation: 'shelter' } },
  ...extra,
});

/** Registers a client with a key of `alg` and returns its id and private key, for hand-made assertions. */
export async function registerClientKey(hub: TestHub, organizationId: string, role: 'planner' | 'partner' | 'compliance', alg: ClientKeyAlg = 'ES256') {
  const key = await generateClientKey(alg);
  const created = await hub.api.request('POST', '/v1/clients', { token: hub.adminToken, body: { organizationId, role, jwks: key.publicJwks } });
  if (created.status !== 201) throw new Error(`client: ${created.status} ${JSON.stringify(created.body)}`);
  return { clientId: created.body.clientId as string, privateJwk: key.privateJwk as JWK };
}

export interface Agency {
  id: string;
  planner: string;
  compliance: string;
  participantId: string;
}

/** A referring agency with a planner, a compliance officer and one adult participant. */
export async function agency(hub: TestHub, name: string): Promise<Agency> {
  const org = await hub.organization({ name, kind: 'probation', adapter: { type: 'portal' } }, 'planner');
  const compliance = await hub.client(org.id, 'compliance');
  const participant = await hub.api.request('POST', '/v1/participants', { token: org.token, body: adultParticipant });
  if (participant.status !== 201) throw new Error(`participant: ${participant.status} ${JSON.stringify(participant.body)}`);
  return { id: org.id, planner: org.token, compliance, participantId: participant.body.id };
}

/** A portal partner: nothing is pushed, so a queued referral is delivered almost at once. */
export const portalPartner = (hub: TestHub, name: string) =>
  hub.organization({ name, kind: 'housing', adapter: { type: 'portal' } }, 'partner');

/** Consents to the partner seeing identity and housing data, then sends a referral and waits until it is delivered. */
export async function deliveredReferral(hub: TestHub, from: Agency, partner: { id: string; token: string }) {
  const consent = await hub.api.request('POST', '/v1/consents', { token: from.compliance, body: permitConsent(from.participantId, partner.id, ['identity', 'housing']) });
  if (consent.status !== 201) throw new Error(`consent: ${consent.status} ${JSON.stringify(consent.body)}`);
  const created = await hub.api.request('POST', '/v1/referrals', { token: from.planner, body: referralInput(from.participantId, partner.id) });
  if (created.status !== 201) throw new Error(`referral: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  await eventually(async () => ((await hub.api.request('GET', `/v1/referrals/${id}`, { token: partner.token })).status === 200 ? true : undefined), 10_000, 'delivery');
  return id;
}
