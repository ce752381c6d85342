import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { adultParticipant, permitConsent } from '../support/fixtures.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const REASON = 'Needs housing; on methadone since May';
const signed = () => [{ signer: 'participant', name: 'Jordan Rivera', signedAt: new Date().toISOString(), method: 'electronic' }];
const dayAgo = () => new Date(Date.now() - 86_400_000).toISOString();

/**
 * Consent in both directions: free text about a participant (the referral's reason, a partner's
 * notes) moves only under a decision, and every note shown is a recorded disclosure.
 */
describe('consent in both directions on the running hub', () => {
  let hub: TestHub;
  let receiver: WebhookReceiver;
  let probation: { id: string; token: string };
  let compliance: string;
  let clinic: { id: string; token: string };
  let housing: { id: string; token: string };

  const newParticipant = async () => (await hub.api.request('POST', '/v1/participants', { token: probation.token, body: adultParticipant })).body.id as string;
  const consent = async (body: Record<string, unknown>) => {
    const r = await hub.api.request('POST', '/v1/consents', { token: compliance, body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const refer = async (participantId: string, partnerId: string, caseFile: Record<string, unknown> = { identity: { name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12' } }) => {
    const r = await hub.api.request('POST', '/v1/referrals', {
      token: probation.token,
      body: { participantId, partnerId, service: 'mental_health', purpose: 'treatment', reason: REASON, caseFile },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const partnerRead = (id: string, token: string) =>
    eventually(async () => {
      const r = await hub.api.request('GET', `/v1/referrals/${id}`, { token });
      return r.status === 200 ? r.body : undefined;
    });
  const post = async (id: string, token: string, body: Record<string, unknown>) => {
    const r = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token, body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  const timeline = async (id: string) => (await hub.api.request('GET', `/v1/referrals/${id}/timeline`, { token: probation.token })).body.items as any[];
  const disclosures = async (participantId: string, channel: string) =>
    (await hub.api.request('GET', `/v1/participants/${participantId}/disclosures?channel=${channel}`, { token: compliance })).body.items as any[];

  /** The ordinary referral consent as one record: probation may send, the provider may report back. */
  const twoWay = (participantId: string, partnerId: string, forward: string[], back: string[]) => ({
    participantId, basis: 'consent', period: { start: dayAgo() }, signatures: signed(),
    provision: {
      type: 'deny',
      provisions: [
        { type: 'permit', actors: [{ role: 'recipient', organizationId: partnerId }], purposes: ['treatment'], categories: forward },
        {
          type: 'permit',
          actors: [{ role: 'source', organizationId: partnerId }, { role: 'recipient', organizationId: probation.id }],
          purposes: ['treatment'], categories: back,
        },
      ],
    },
  });

  beforeAll(async () => {
    hub = await startTestHub();
    receiver = await startWebhookReceiver({ secret: SECRET });
    probation = await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } }, 'planner');
    compliance = await hub.client(probation.id, 'compliance');
    clinic = await hub.organization({ name: 'Eastside Mental Health', kind: 'mental_health', adapter: { type: 'portal' } }, 'partner');
    housing = await hub.organization({ name: 'Eastside Housing', kind: 'housing', adapter: { type: 'webhook', url: receiver.url, secret: SECRET } }, 'partner');
  });
  afterAll(async () => {
    await receiver?.close();
    await hub?.stop();
  });

  describe('the referral’s reason is case data', () => {
    it('reaches the partner, in the webhook and in its read, while it may see the participant', async () => {
      const participantId = await newParticipant();
      await consent(permitConsent(participantId, housing.id, ['identity']));
      const id = await refer(participantId, housing.id);
      const message = await receiver.waitFor((m) => (m.json as any).data.referral.id === id);
      expect((message.json as any).data.referral.reason).toBe(REASON);
      expect((await partnerRead(id, housing.token)).reason).toBe(REASON);
    });

    it('leaves a partner’s read with no free text at all once every basis is revoked: only ids, status and the withheld count', async () => {
      const participantId = await newParticipant();
      const consentId = await consent(permitConsent(participantId, clinic.id, ['identity', 'mental_health']));
      const id = await refer(participantId, clinic.id, {
        identity: { name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12' },
        mental_health: { diagnosis: 'F33.1' },
        notes: [{ category: 'mental_health', text: 'Sees Dr. Ames weekly' }],
      });
      expect((await partnerRead(id, clinic.token)).reason).toBe(REASON);
      const revoked = await hub.api.request('POST', `/v1/consents/${consentId}/revoke`, { token: compliance, body: { reason: 'participant withdrew' } });
      expect(revoked.status).toBe(200);

      const read = (await hub.api.request('GET', `/v1/referrals/${id}`, { token: clinic.token })).body;
      expect(read).not.toHaveProperty('reason');
      expect(read.caseFile).toEqual({});
      // Two sections, one note and the reason: counted, never named.
      expect(read.withheld.count).toBe(4);
      expect(JSON.stringify(read)).not.toMatch(/methadone|Ames|F33|Jordan|Rivera/);
      const listed = (await hub.api.request('GET', '/v1/referrals', { token: clinic.token })).body.items.find((r: any) => r.id === id);
      expect(listed).not.toHaveProperty('reason');
      expect(listed.caseFile).toEqual({});
    });

    it('shows nothing of the case file to a partner that may see housing but no longer the participant’s identity', async () => {
      const participantId = await newParticipant();
      await consent(permitConsent(participantId, clinic.id, ['identity', 'housing']));
      const id = await refer(participantId, clinic.id, { identity: { name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12' }, housing: { situation: 'shelter' } });
      await partnerRead(id, clinic.token);
      // A later consent explicitly denies identity to the clinic; housing is still permitted on its own.
      await consent({ ...permitConsent(participantId, clinic.id, []), provision: { type: 'deny', actors: [{ organizationId: clinic.id }], categories: ['identity'] } });
      const read = (await hub.api.request('GET', `/v1/referrals/${id}`, { token: clinic.token })).body;
      expect(read.caseFile).toEqual({});
      expect(read).not.toHaveProperty('reason');
      expect(read.withheld.count).toBe(3);
      const recorded = await disclosures(participantId, 'read');
      expect(recorded[0].categories).toEqual([]);
    });
  });

  describe('what a partner reports back', () => {
    it('keeps a mental-health provider’s progress note from probation until a consent names the provider as source, and records it once shown', async () => {
      const participantId = await newParticipant();
      await consent(permitConsent(participantId, clinic.id, ['identity']));
      const id = await refer(participantId, clinic.id);
      await partnerRead(id, clinic.token);
      await post(id, clinic.token, { type: 'accepted' });
      await post(id, clinic.token, { type: 'progress_note', note: { category: 'mental_health', text: 'Reports low mood; medication adjusted' } });

      const hidden = (await timeline(id)).find((e) => e.type === 'progress_note');
      expect(hidden).toMatchObject({ type: 'progress_note', by: clinic.id, noteWithheld: true });
      expect(hidden).not.toHaveProperty('note');
      expect(await disclosures(participantId, 'status')).toEqual([]);

      const back = await consent({
        ...permitConsent(participantId, probation.id, []),
        provision: { type: 'permit', actors: [{ role: 'source', organizationId: clinic.id }, { role: 'recipient', organizationId: probation.id }], purposes: ['treatment'], categories: ['mental_health'] },
      });
      const shown = (await timeline(id)).find((e) => e.type === 'progress_note');
      expect(shown.note).toEqual({ category: 'mental_health', text: 'Reports low mood; medication adjusted' });
      expect(shown).not.toHaveProperty('noteWithheld');
      const recorded = await disclosures(participantId, 'status');
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({ recipientOrganizationId: probation.id, referralId: id, categories: ['mental_health'], basisIds: [back], channel: 'status' });
    });

    it('keeps status changes, rejection reasons and appointment times of a provider visible without any reverse consent', async () => {
      const participantId = await newParticipant();
      await consent(permitConsent(participantId, clinic.id, ['identity']));
      const accepted = await refer(participantId, clinic.id);
      await partnerRead(accepted, clinic.token);
      await post(accepted, clinic.token, { type: 'accepted' });
      await post(accepted, clinic.token, { type: 'intake_scheduled', appointmentAt: '2026-12-20T15:00:00.000Z' });
      const items = await timeline(accepted);
      expect(items.map((e) => e.type)).toEqual(['created', 'delivered', 'accepted', 'intake_scheduled']);
      expect(items[3].appointmentAt).toBe('2026-12-20T15:00:00.000Z');
      expect((await hub.api.request('GET', `/v1/referrals/${accepted}`, { token: probation.token })).body.status).toBe('accepted');

      const rejected = await refer(participantId, clinic.id);
      await partnerRead(rejected, clinic.token);
      await post(rejected, clinic.token, { type: 'rejected', reason: 'no openings this month' });
      expect((await timeline(rejected)).at(-1)).toMatchObject({ type: 'rejected', reason: 'no openings this month' });
    });

    it('one two-way consent record lets probation send to the provider and the provider report attendance and progress back', async () => {
      const participantId = await newParticipant();
      await consent(twoWay(participantId, clinic.id, ['identity', 'mental_health'], ['mental_health']));
      const id = await refer(participantId, clinic.id, { identity: { name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12' }, mental_health: { diagnosis: 'F33.1' } });
      expect(Object.keys((await partnerRead(id, clinic.token)).caseFile).sort()).toEqual(['identity', 'mental_health']);
      await post(id, clinic.token, { type: 'accepted' });
      await post(id, clinic.token, { type: 'attended' });
      await post(id, clinic.token, { type: 'progress_note', note: { category: 'mental_health', text: 'Engaged in group therapy' } });
      await post(id, clinic.token, { type: 'progress_note', note: { category: 'substance_use', text: 'Mentions drinking' } });
      const notes = (await timeline(id)).filter((e) => e.type === 'progress_note');
      expect(notes[0].note.text).toBe('Engaged in group therapy');
      // The consent lets mental-health notes back, not substance-use ones.
      expect(notes[1]).toMatchObject({ noteWithheld: true });
      expect(notes[1]).not.toHaveProperty('note');

      // The access endpoint explains the reverse decision like the forward one.
      const reverse = await hub.api.request('GET', `/v1/participants/${participantId}/access?recipient=${probation.id}&source=${clinic.id}&purpose=treatment`, { token: compliance });
      expect(reverse.status).toBe(200);
      expect(reverse.body.permitted).toEqual(['mental_health']);
      expect(reverse.body.denied.find((d: any) => d.category === 'substance_use').reason).toMatch(/from Eastside Mental Health to County Probation/);
      const forward = await hub.api.request('GET', `/v1/participants/${participantId}/access?recipient=${clinic.id}&purpose=treatment`, { token: compliance });
      expect(forward.body.permitted).toEqual(['identity', 'mental_health']);
    });

    it('a planner’s 409 names no event its own view of the referral would not allow', async () => {
      const participantId = await newParticipant();
      await consent(permitConsent(participantId, clinic.id, ['identity']));
      const id = await refer(participantId, clinic.id);
      await partnerRead(id, clinic.token);
      await post(id, clinic.token, { type: 'rejected', reason: 'outside our area' });
      const refused = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: probation.token, body: { type: 'cancelled' } });
      expect(refused.status).toBe(409);
      expect(refused.body.allowed).toEqual([]);
    });
  });

  it('never takes an empty source element of a FHIR Consent for the participant’s signature', async () => {
    const participantId = await newParticipant();
    for (const source of [{ sourceAttachment: {} }, { sourceReference: { reference: 5 } }, { sourceReference: {} }]) {
      const fhir = {
        resourceType: 'Consent', status: 'active', patient: { reference: `Patient/${participantId}` }, dateTime: dayAgo(),
        scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
        category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
        ...source,
        provision: { type: 'permit', actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { reference: `Organization/${clinic.id}` } }] },
      };
      const r = await hub.api.request('POST', '/v1/consents', { token: compliance, raw: JSON.stringify(fhir), headers: { 'content-type': 'application/fhir+json' } });
      expect(r.status, JSON.stringify(source)).toBe(422);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.errors.map((e: any) => e.path).join(' ')).toMatch(/source(Attachment|Reference)/);
    }
    const access = await hub.api.request('GET', `/v1/participants/${participantId}/access?recipient=${clinic.id}&purpose=treatment`, { token: compliance });
    expect(access.body.permitted).toEqual([]);
  });
});
