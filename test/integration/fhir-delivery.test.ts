import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentReference, Patient } from '@medplum/fhirtypes';
import { PARTICIPANT_SYSTEM } from '../../adapters/fhir/index.js';
import { DATA_CATEGORIES } from '../../schemas/vocabulary.js';
import { planningAgency, plannerView, statusBecomes, timeline, type Agency } from '../support/delivery.js';
import { marker } from '../support/fixtures.js';
import { consentedReferral, fhirPartner, PARTNER_TOKEN, serviceRequestsFor, tasksFor, type FhirPartner } from '../support/fhir.js';
import { startFhirServer, type FhirTestServer } from '../support/fhir-server.js';
import { startTestHub, type TestHub } from '../support/hub.js';

// Three attempts: at once, then after about 0.3 s and 0.6 s; one attempt is bounded by 800 ms.
const SCHEDULE = [0, 0.3, 0.6];
const TIMEOUT_MS = 800;

const isTransaction = (r: { method: string; path: string }) => r.method === 'POST' && (r.path === '/' || r.path === '');

describe('delivery to a FHIR partner (a real FHIR R4 server)', () => {
  let fhir: FhirTestServer;
  let hub: TestHub;
  let agency: Agency;
  let partner: FhirPartner;

  beforeAll(async () => {
    fhir = await startFhirServer();
    hub = await startTestHub({ HUB_DELIVERY_SCHEDULE: SCHEDULE.join(','), HUB_DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS) });
    agency = await planningAgency(hub);
    partner = await fhirPartner(hub, fhir, { pollIntervalSeconds: 60 });
  });
  afterAll(async () => {
    await hub?.stop();
    await fhir?.close();
  });

  const patientsOf = async (participantId: string) =>
    (await fhir.resources<Patient>('Patient')).filter((p) => p.identifier?.some((i) => i.system === PARTICIPANT_SYSTEM && i.value === participantId));

  it('writes a Patient, a ServiceRequest and a Task (Gravity pattern) built from the consented projection only', async () => {
    const referral = await consentedReferral(hub, agency, partner.id, ['identity', 'contact', 'housing']);
    expect(referral.status).toBe('queued');
    const delivered = await statusBecomes(hub, agency, referral.id, 'delivered');
    expect(delivered.deliveredAt).toBeTruthy();

    const [task, ...moreTasks] = await tasksFor(fhir, referral.id);
    const [serviceRequest, ...moreRequests] = await serviceRequestsFor(fhir, referral.id);
    const [patient, ...morePatients] = await patientsOf(referral.participantId);
    expect([moreTasks, moreRequests, morePatients]).toEqual([[], [], []]);
    expect(task).toMatchObject({
      status: 'requested', intent: 'order',
      focus: { reference: `ServiceRequest/${serviceRequest!.id}` }, for: { reference: `Patient/${patient!.id}` },
      owner: { identifier: { value: partner.id } }, requester: { identifier: { value: agency.id } },
    });
    expect(serviceRequest).toMatchObject({
      status: 'active', intent: 'order', subject: { reference: `Patient/${patient!.id}` },
      requester: { identifier: { value: agency.id }, display: 'County Probation' },
      reasonCode: [{ text: 'Needs an intake assessment' }],
      category: [{ coding: expect.arrayContaining([{ system: 'urn:referral-hub:service', code: 'mental_health', display: 'Mental health services' }]) }],
    });
    expect(serviceRequest!.meta?.security ?? [], 'no Part 2 data, no Part 2 label').toEqual([]);
    expect((serviceRequest!.contained as DocumentReference[]).map((d) => d.type?.coding?.[0]?.code)).toEqual(['identity', 'contact', 'housing']);
    expect(serviceRequest!.note?.map((n) => n.text)).toEqual([expect.stringMatching(/ \(18 item\(s\) withheld\)$/)]);
    expect(patient).toMatchObject({
      name: [{ given: ['Jordan'], family: 'Rivera' }], birthDate: '1990-04-12',
      telecom: [{ system: 'phone', value: '555-0100' }], address: [{ line: [marker('contact')], city: 'Springfield' }],
    });
    expect(patient!.gender, 'demographics were not consented').toBeUndefined();

    const text = await fhir.allText();
    for (const category of ['identity', 'contact', 'housing']) expect(text).toContain(marker(category));
    for (const category of DATA_CATEGORIES.filter((c) => !['identity', 'contact', 'housing'].includes(c))) {
      expect(text, `${category} was not consented`).not.toContain(marker(category));
    }
    expect(text).toContain(`note ${marker('housing')}-NOTE`);
    expect(fhir.requests.filter(isTransaction).every((r) => r.headers.authorization === `Bearer ${PARTNER_TOKEN}`)).toBe(true);
  });

  it('labels 42 CFR Part 2 data ETH and sends the redisclosure notice with it', async () => {
    const referral = await consentedReferral(hub, agency, partner.id, ['identity', 'substance_use']);
    await statusBecomes(hub, agency, referral.id, 'delivered');
    const [serviceRequest] = await serviceRequestsFor(fhir, referral.id);
    const eth = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'ETH', display: 'substance abuse information sensitivity' };
    expect(serviceRequest!.meta?.security).toContainEqual(eth);
    const docs = serviceRequest!.contained as DocumentReference[];
    const sud = docs.find((d) => d.type?.coding?.[0]?.code === 'substance_use')!;
    expect(sud.meta?.security).toContainEqual(eth);
    expect(sud.description).toMatch(/^This record which has been disclosed to you is protected by Federal confidentiality rules \(42 CFR part 2\)/);
    expect(docs.find((d) => d.type?.coding?.[0]?.code === 'identity')!.meta?.security).toBeUndefined();
    expect(serviceRequest!.note?.some((n) => n.text.startsWith('42CFR2.32: This record which has been disclosed'))).toBe(true);
    const content = JSON.parse(Buffer.from(sud.content[0]!.attachment.data!, 'base64').toString('utf8'));
    expect(content).toEqual({ category: 'substance_use', section: { summary: marker('substance_use') }, notes: [`note ${marker('substance_use')}-NOTE`] });
  });

  it('makes no second copy when the answer to a committed transaction is lost, and reuses the Patient for the next referral', async () => {
    const before = fhir.requests.filter(isTransaction).length;
    fhir.failNext(1, 502, { afterCommit: true, match: isTransaction });
    const first = await consentedReferral(hub, agency, partner.id, ['identity', 'contact']);
    await statusBecomes(hub, agency, first.id, 'delivered');
    const attempts = fhir.requests.filter(isTransaction).slice(before);
    expect(attempts.map((r) => r.status)).toEqual([502, 200]);
    expect(await tasksFor(fhir, first.id)).toHaveLength(1);
    expect(await serviceRequestsFor(fhir, first.id)).toHaveLength(1);
    expect(await patientsOf(first.participantId)).toHaveLength(1);
    expect((await timeline(hub, agency, first.id)).map((e) => e.type)).toEqual(['created', 'delivered']);

    // The same participant again: a second Task and ServiceRequest, the same Patient.
    const second = await hub.api.request('POST', '/v1/referrals', {
      token: agency.planner,
      body: { participantId: first.participantId, partnerId: partner.id, service: 'housing', purpose: 'treatment', reason: 'Housing first', caseFile: { identity: { name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12' } } },
    });
    expect(second.status).toBe(201);
    await statusBecomes(hub, agency, second.body.id, 'delivered');
    const patients = await patientsOf(first.participantId);
    expect(patients).toHaveLength(1);
    expect((await tasksFor(fhir, second.body.id))[0]!.for?.reference).toBe(`Patient/${patients[0]!.id}`);
  });

  it('retries a server answering 500, then shows delivery_failed with the OperationOutcome text', async () => {
    fhir.failNext(SCHEDULE.length, 500, { match: isTransaction });
    const referral = await consentedReferral(hub, agency, partner.id, ['identity']);
    const failed = await statusBecomes(hub, agency, referral.id, 'delivery_failed');
    expect(failed.lastError).toBe('HTTP 500: error/exception: injected failure 500 (test server injected HTTP 500)');
    const entries = await timeline(hub, agency, referral.id);
    expect(entries.map((e) => e.type)).toEqual(['created', 'delivery_failed']);
    expect(entries[1]!.reason).toBe(`after ${SCHEDULE.length} attempt(s): ${failed.lastError}`);
    expect(await tasksFor(fhir, referral.id)).toEqual([]);
  });

  it(`bounds each attempt to a hanging server by ${TIMEOUT_MS} ms, retries, then shows delivery_failed`, async () => {
    fhir.failNext(SCHEDULE.length, 'hang', { match: isTransaction });
    const started = Date.now();
    const referral = await consentedReferral(hub, agency, partner.id, ['identity']);
    const failed = await statusBecomes(hub, agency, referral.id, 'delivery_failed');
    expect(failed.lastError).toBe(`timeout after ${TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SCHEDULE.length * TIMEOUT_MS);
    expect(fhir.requests.filter((r) => isTransaction(r) && r.status === 'hang').length).toBeGreaterThanOrEqual(SCHEDULE.length);
  });

  it('does not retry a 4xx: the partner refused the content', async () => {
    const before = fhir.requests.filter(isTransaction).length;
    fhir.failNext(1, 422, { match: isTransaction });
    const referral = await consentedReferral(hub, agency, partner.id, ['identity']);
    const failed = await statusBecomes(hub, agency, referral.id, 'delivery_failed');
    expect(failed.lastError).toMatch(/^HTTP 422: error\/processing: injected failure 422/);
    expect((await timeline(hub, agency, referral.id))[1]!.reason).toMatch(/^after 1 attempt\(s\)/);
    expect(fhir.requests.filter(isTransaction).length - before).toBe(1);

    // Replay after the partner fixed its side: delivered, one copy.
    const replay = await hub.api.request('POST', `/v1/referrals/${referral.id}/replay`, { token: agency.planner });
    expect(replay.status).toBe(200);
    await statusBecomes(hub, agency, referral.id, 'delivered');
    expect((await plannerView(hub, agency, referral.id)).lastError).toBeNull();
    expect(await tasksFor(fhir, referral.id)).toHaveLength(1);
  });

  it('falls back to one conditional create per resource when the server does not take transactions', async () => {
    fhir.failNext(1, 501, { match: isTransaction });
    const referral = await consentedReferral(hub, agency, partner.id, ['identity', 'housing']);
    await statusBecomes(hub, agency, referral.id, 'delivered');
    const [task, ...more] = await tasksFor(fhir, referral.id);
    expect(more).toEqual([]);
    const [serviceRequest] = await serviceRequestsFor(fhir, referral.id);
    const [patient] = await patientsOf(referral.participantId);
    expect(task!.focus?.reference).toBe(`ServiceRequest/${serviceRequest!.id}`);
    expect(task!.for?.reference).toBe(`Patient/${patient!.id}`);
    expect(fhir.requests.filter((r) => r.method === 'POST' && r.path === '/Task').at(-1)!.headers['if-none-exist']).toContain('urn%3Areferral-hub%3Areferral');
  });
});
