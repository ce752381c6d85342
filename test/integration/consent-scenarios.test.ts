import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sweepConsents } from '../../services/consent-expiry.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { adultParticipant, fullCaseFile, marker, permitConsent } from '../support/fixtures.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const DAY = 86_400_000;

describe('consent scenarios on the running hub', () => {
  let hub: TestHub;
  let receiver: WebhookReceiver;
  let probation: { id: string; token: string };
  let compliance: string;
  let treatment: { id: string; token: string };
  let webhookTreatment: { id: string; token: string };

  const newParticipant = async (body: Record<string, unknown> = adultParticipant) =>
    (await hub.api.request('POST', '/v1/participants', { token: probation.token, body })).body.id as string;
  const refer = async (participantId: string, partnerId: string, purpose = 'treatment') =>
    hub.api.request('POST', '/v1/referrals', {
      token: probation.token,
      body: { participantId, partnerId, service: 'substance_use', purpose, reason: 'court-ordered assessment', caseFile: fullCaseFile() },
    });
  const consent = (body: Record<string, unknown>) => hub.api.request('POST', '/v1/consents', { token: compliance, body });

  beforeAll(async () => {
    hub = await startTestHub();
    receiver = await startWebhookReceiver({ secret: SECRET });
    probation = await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } }, 'planner');
    compliance = await hub.client(probation.id, 'compliance');
    treatment = await hub.organization({ name: 'Riverside Recovery', kind: 'sud_treatment', part2Program: true, adapter: { type: 'portal' } }, 'partner');
    webhookTreatment = await hub.organization(
      { name: 'Hillside SUD Clinic', kind: 'sud_treatment', part2Program: true, adapter: { type: 'webhook', url: receiver.url, secret: SECRET } },
      'partner',
    );
  });
  afterAll(async () => {
    await receiver?.close();
    await hub?.stop();
  });
  // A test that moves the hub's clock leaves the next one on real time, where its periods are written.
  afterEach(() => {
    hub.clock.reset();
  });

  it('carries the 42 CFR 2.32 redisclosure notice with substance-use data, in the read and in the webhook body', async () => {
    const participantId = await newParticipant();
    await consent(permitConsent(participantId, webhookTreatment.id, ['identity', 'substance_use'], { period: { start: iso(-60_000), end: iso(86_400_000 * 90) } }));
    const referral = await refer(participantId, webhookTreatment.id);
    const message = await receiver.waitFor((m) => (m.json as any).data.referral.id === referral.body.id);
    const view = (message.json as any).data.referral;
    expect(view.notices.map((n: any) => n.code)).toEqual(['42CFR2.32']);
    expect(view.caseFile.substance_use.summary).toBe(marker('substance_use'));
    // The partner can read it once the hub has recorded the delivery.
    const read = await eventually(async () => {
      const r = await hub.api.request('GET', `/v1/referrals/${referral.body.id}`, { token: webhookTreatment.token });
      return r.status === 200 ? r : undefined;
    });
    expect(read.body.notices[0].code).toBe('42CFR2.32');
  });

  it('withholds a Part 2 program’s status reports from probation until a consent names the program as source', async () => {
    const participantId = await newParticipant();
    await consent(permitConsent(participantId, treatment.id, ['identity', 'substance_use']));
    const referral = await refer(participantId, treatment.id);
    const id = referral.body.id;
    await eventually(async () => ((await hub.api.request('GET', `/v1/referrals/${id}`, { token: treatment.token })).status === 200 ? true : undefined));
    for (const type of ['received', 'accepted']) {
      expect((await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: treatment.token, body: { type } })).status).toBe(201);
    }

    const hidden = await hub.api.request('GET', `/v1/referrals/${id}/timeline`, { token: probation.token });
    expect(hidden.body.items.map((e: any) => e.type)).toEqual(['created', 'delivered', 'withheld', 'withheld']);
    expect(Object.keys(hidden.body.items[2]).sort()).toEqual(['id', 'occurredAt', 'type']);
    const seenByProbation = await hub.api.request('GET', `/v1/referrals/${id}`, { token: probation.token });
    expect(seenByProbation.body.status).toBe('delivered');
    expect(seenByProbation.body.withheldEvents).toBe(2);
    // A status filter must not reveal the withheld status either.
    const listed = async (status: string) =>
      (await hub.api.request('GET', `/v1/referrals?status=${status}&participantId=${participantId}`, { token: probation.token })).body.items.map((r: any) => r.id);
    expect(await listed('accepted')).not.toContain(id);
    expect(await listed('delivered')).toContain(id);

    // 42 CFR 2.35: the criminal-justice referral consent, from the program to probation.
    const back = await consent({
      ...permitConsent(participantId, probation.id, ['substance_use']),
      provision: { type: 'permit', actors: [{ role: 'source', organizationId: treatment.id }, { role: 'recipient', organizationId: probation.id }], categories: ['substance_use'], purposes: ['treatment'] },
    });
    expect(back.status).toBe(201);
    const shown = await hub.api.request('GET', `/v1/referrals/${id}/timeline`, { token: probation.token });
    expect(shown.body.items.map((e: any) => e.type)).toEqual(['created', 'delivered', 'received', 'accepted']);
    expect((await hub.api.request('GET', `/v1/referrals/${id}`, { token: probation.token })).body.status).toBe('accepted');
    expect(await listed('accepted')).toContain(id);
    const disclosures = await hub.api.request('GET', `/v1/participants/${participantId}/disclosures?channel=status`, { token: compliance });
    expect(disclosures.body.items[0]).toMatchObject({ recipientOrganizationId: probation.id, categories: ['substance_use'], basisIds: [back.body.id] });
  });

  it('refuses a minor’s consent without the guardian’s signature, except for substance use from age 12', async () => {
    const fifteen = new Date();
    fifteen.setUTCFullYear(fifteen.getUTCFullYear() - 15);
    const participantId = await newParticipant({ ...adultParticipant, birthDate: fifteen.toISOString().slice(0, 10), guardians: [{ name: 'Maria Rivera', relationship: 'mother' }] });
    const alone = await consent(permitConsent(participantId, treatment.id, ['identity', 'housing']));
    expect(alone.status).toBe(422);
    expect(alone.body.errors.map((e: any) => e.path)).toContain('signatures');
    const sudOnly = await consent(permitConsent(participantId, treatment.id, ['substance_use']));
    expect(sudOnly.status).toBe(201);
    const access = await hub.api.request('GET', `/v1/participants/${participantId}/access?recipient=${treatment.id}&purpose=treatment`, { token: compliance });
    expect(access.body.permitted).toEqual(['substance_use']);
    expect(access.body.obligations[0].code).toBe('42CFR2.32');
  });

  it('a court order needs its document, and shows as a court order in the accounting', async () => {
    const participantId = await newParticipant();
    const base = { participantId, basis: 'court_order', period: { start: iso(-60_000) }, provision: { type: 'permit', actors: [{ organizationKind: 'sud_treatment' }], categories: ['identity', 'justice'] } };
    expect((await consent(base)).status).toBe(422);
    const order = await consent({ ...base, documentRef: 'urn:court:case:2026-CR-1234' });
    expect(order.status).toBe(201);
    await refer(participantId, webhookTreatment.id);
    const items = await eventually(async () => {
      const r = await hub.api.request('GET', `/v1/participants/${participantId}/disclosures`, { token: compliance });
      return r.body.items.length > 0 ? r.body.items : undefined;
    });
    expect(items[0].bases).toEqual([{ id: order.body.id, basis: 'court_order' }]);
    const csv = await hub.api.request('GET', `/v1/participants/${participantId}/disclosures`, { token: compliance, headers: { accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.body).toContain('court_order');
    expect(String(csv.body).split('\r\n')[0]).toBe('at,recipientOrganizationId,referralId,channel,purpose,categories,basisIds,basisKinds');
  });

  it('expires a consent at the end of its period: the sweep marks it and later decisions deny', async () => {
    const participantId = await newParticipant();
    const short = await consent(permitConsent(participantId, treatment.id, ['identity'], { period: { start: iso(-60_000), end: iso(30 * DAY) } }));
    expect(short.body.status).toBe('active');
    // Not before its end: a sweep a day early leaves it active and permitting.
    hub.clock.advance(29 * DAY);
    await sweepConsents(hub.running.hub);
    expect((await hub.api.request('GET', `/v1/consents/${short.body.id}`, { token: compliance })).body.status).toBe('active');
    const before = await hub.api.request('GET', `/v1/participants/${participantId}/access?recipient=${treatment.id}&purpose=treatment`, { token: compliance });
    expect(before.body.permitted).toEqual(['identity']);
    hub.clock.advance(DAY + 60_000);
    await sweepConsents(hub.running.hub);
    expect((await hub.api.request('GET', `/v1/consents/${short.body.id}`, { token: compliance })).body.status).toBe('expired');
    const access = await hub.api.request('GET', `/v1/participants/${participantId}/access?recipient=${treatment.id}&purpose=treatment`, { token: compliance });
    expect(access.body.permitted).toEqual([]);
    expect(access.body.denied.find((d: any) => d.category === 'identity').reason).toMatch(/expired/);
  });

  it('releases a waiting referral when a provision’s period begins', async () => {
    const participantId = await newParticipant();
    const referral = await refer(participantId, treatment.id);
    expect(referral.body.status).toBe('awaiting_consent');
    await consent({
      ...permitConsent(participantId, treatment.id, ['identity']),
      provision: { type: 'deny', provisions: [{ type: 'permit', actors: [{ organizationId: treatment.id }], categories: ['identity'], period: { start: iso(7 * DAY) } }] },
    });
    // A sweep before the provision's period leaves the referral waiting.
    hub.clock.advance(6 * DAY);
    await sweepConsents(hub.running.hub);
    expect((await hub.api.request('GET', `/v1/referrals/${referral.body.id}`, { token: probation.token })).body.status).toBe('awaiting_consent');
    hub.clock.advance(DAY + 60_000);
    await sweepConsents(hub.running.hub);
    await eventually(async () => {
      const r = await hub.api.request('GET', `/v1/referrals/${referral.body.id}`, { token: probation.token });
      return r.body.status === 'delivered' ? true : undefined;
    });
  });

  it('accepts an R4 Consent, enforces it like its JSON twin, and gives it back as FHIR', async () => {
    const participantId = await newParticipant();
    const coding = (system: string, code: string) => ({ coding: [{ system, code }] });
    const fhir = {
      resourceType: 'Consent',
      status: 'active',
      scope: coding('http://terminology.hl7.org/CodeSystem/consentscope', 'patient-privacy'),
      category: [coding('http://loinc.org', '59284-0')],
      patient: { reference: `Patient/${participantId}` },
      dateTime: iso(-60_000),
      sourceAttachment: { title: 'Signed consent form', url: 'urn:doc:consent-42' },
      provision: {
        type: 'permit',
        period: { start: iso(-60_000), end: iso(86_400_000 * 365) },
        actor: [{ role: coding('http://terminology.hl7.org/CodeSystem/v3-ParticipationType', 'IRCP'), reference: { reference: `Organization/${treatment.id}` } }],
        purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }],
        provision: [{ type: 'deny', securityLabel: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'ETH' }] }],
      },
    };
    const created = await hub.api.request('POST', '/v1/consents', { token: compliance, raw: JSON.stringify(fhir), headers: { 'content-type': 'application/fhir+json' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.documentRef).toBe('urn:doc:consent-42');

    const access = await hub.api.request('GET', `/v1/participants/${participantId}/access?recipient=${treatment.id}&purpose=treatment`, { token: compliance });
    expect(access.body.permitted).not.toContain('substance_use');
    expect(access.body.permitted).toContain('identity');

    const back = await hub.api.request('GET', `/v1/consents/${created.body.id}`, { token: compliance, headers: { accept: 'application/fhir+json' } });
    expect(back.headers.get('content-type')).toContain('application/fhir+json');
    expect(back.body.resourceType).toBe('Consent');
    expect(back.body.patient.reference).toBe(`Patient/${participantId}`);

    // The exported resource, imported again, decides the same.
    const other = await newParticipant();
    const again = await hub.api.request('POST', '/v1/consents', {
      token: compliance, raw: JSON.stringify({ ...back.body, id: undefined, patient: { reference: `Patient/${other}` } }), headers: { 'content-type': 'application/fhir+json' },
    });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    const accessAgain = await hub.api.request('GET', `/v1/participants/${other}/access?recipient=${treatment.id}&purpose=treatment`, { token: compliance });
    expect(accessAgain.body.permitted).toEqual(access.body.permitted);
  });

  it('answers an unmappable FHIR Consent with 422 naming what could not be mapped', async () => {
    const participantId = await newParticipant();
    const response = await hub.api.request('POST', '/v1/consents', {
      token: compliance,
      raw: JSON.stringify({
        resourceType: 'Consent', status: 'active', patient: { reference: `Patient/${participantId}` }, dateTime: iso(0),
        sourceAttachment: { url: 'urn:doc:1' },
        provision: { type: 'permit', data: [{ meaning: 'instance', reference: { reference: 'Observation/1' } }] },
      }),
      headers: { 'content-type': 'application/fhir+json' },
    });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((e: any) => e.path)).toContain('provision.data');
  });
});
