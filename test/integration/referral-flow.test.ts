import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { adultParticipant, fullCaseFile, marker, permitConsent } from '../support/fixtures.js';

describe('a referral through the real gateway, outbox, queue and webhook adapter', () => {
  let hub: TestHub;
  let receiver: WebhookReceiver;
  let planner: { id: string; token: string };
  let compliance: string;
  let housing: { id: string; token: string; webhookSecret?: string };
  let participantId: string;
  let secret: string;

  beforeAll(async () => {
    hub = await startTestHub();
    secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    receiver = await startWebhookReceiver({ secret });
    planner = await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } }, 'planner');
    compliance = await hub.client(planner.id, 'compliance');
    housing = await hub.organization({ name: 'Eastside Housing', kind: 'housing', adapter: { type: 'webhook', url: `${receiver.url}/hooks`, secret } }, 'partner');
    const participant = await hub.api.request('POST', '/v1/participants', { token: planner.token, body: adultParticipant });
    expect(participant.status).toBe(201);
    participantId = participant.body.id;
  });
  /** A referral to the housing partner that a consent already permits, so it is queued at once. */
  const queuedReferral = async (reason: string): Promise<string> => {
    const created = await hub.api.request('POST', '/v1/referrals', {
      token: planner.token,
      body: { participantId, partnerId: housing.id, service: 'housing', purpose: 'care_coordination', reason, caseFile: fullCaseFile() },
    });
    expect(created.body.status).toBe('queued');
    return created.body.id;
  };
  afterAll(async () => {
    await receiver?.close();
    await hub?.stop();
  });

  it('waits as awaiting_consent without a basis, and goes out once a consent permits identity', async () => {
    const created = await hub.api.request('POST', '/v1/referrals', {
      token: planner.token,
      body: { participantId, partnerId: housing.id, service: 'housing', purpose: 'care_coordination', reason: 'needs stable housing', caseFile: fullCaseFile() },
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('awaiting_consent');

    const consent = await hub.api.request('POST', '/v1/consents', {
      token: compliance,
      body: permitConsent(participantId, housing.id, ['identity', 'contact', 'housing']),
    });
    expect(consent.status).toBe(201);

    const delivered = await receiver.waitFor((m) => (m.json as any)?.data?.referral?.id === created.body.id, 10_000);
    expect(delivered.signatureValid).toBe(true);
    const caseFile = (delivered.json as any).data.referral.caseFile;
    expect(Object.keys(caseFile).sort()).toEqual(['contact', 'housing', 'identity', 'notes']);
    expect(delivered.body).not.toContain(marker('substance_use'));
    expect(delivered.body).not.toContain(marker('mental_health'));
    expect(delivered.body).not.toContain(marker('justice'));
    expect(caseFile.notes.map((n: any) => n.category).sort()).toEqual(['contact', 'housing', 'identity']);
    expect((delivered.json as any).data.referral.withheld.count).toBe(9 + 9);

    const status = await eventually(async () => {
      const r = await hub.api.request('GET', `/v1/referrals/${created.body.id}`, { token: planner.token });
      return r.body.status === 'delivered' ? r.body : undefined;
    });
    expect(status.deliveredAt).toBeTruthy();
  });

  it('records a delivery whole: the status and its stamp, the timeline event at that stamp, one attempt, the outbox row done, the audit entry', async () => {
    const id = await queuedReferral('delivery record');
    const sent = await receiver.waitFor((m) => (m.json as any)?.data?.referral?.id === id);
    const view = await eventually(async () => {
      const r = await hub.api.request('GET', `/v1/referrals/${id}`, { token: planner.token });
      return r.body.status === 'delivered' ? r.body : undefined;
    });
    const timeline = await hub.api.request('GET', `/v1/referrals/${id}/timeline`, { token: planner.token });
    const delivered = timeline.body.items.filter((e: any) => e.type === 'delivered');
    expect(delivered).toHaveLength(1);
    expect(delivered[0].occurredAt, 'SLA timers run from the one instant both carry').toBe(view.deliveredAt);

    const outbox = await hub.db.sql<{ id: string; message_id: string; done_at: Date | null; attempts: number; outcome: string; locked_until: Date | null }[]>`
      SELECT id, message_id, done_at, attempts, outcome, locked_until FROM outbox WHERE referral_id = ${id}`;
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ attempts: 1, outcome: 'delivered', locked_until: null });
    expect(outbox[0]!.done_at).not.toBeNull();
    expect(sent.headers['webhook-id']).toBe(outbox[0]!.message_id);
    const attempts = await hub.db.sql`SELECT attempt, outcome FROM delivery_attempts WHERE outbox_id = ${outbox[0]!.id}`;
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'delivered']]);
    const audit = await hub.db.sql<{ actor: string; detail: unknown }[]>`SELECT actor, detail FROM audit_log WHERE subject = ${id} AND action = 'referral.delivered'`;
    expect(audit).toEqual([{ actor: 'hub', detail: { partnerId: housing.id, messageId: outbox[0]!.message_id } }]);
  });

  it('closes the loop: partner events move the status, the timeline and the accounting show it', async () => {
    const id = await queuedReferral('second referral');
    await receiver.waitFor((m) => (m.json as any)?.data?.referral?.id === id);
    await eventually(async () => ((await hub.api.request('GET', `/v1/referrals/${id}`, { token: housing.token })).status === 200 ? true : undefined));

    const partnerView = await hub.api.request('GET', `/v1/referrals/${id}`, { token: housing.token });
    expect(Object.keys(partnerView.body.caseFile).sort()).toEqual(['contact', 'housing', 'identity', 'notes']);
    expect(partnerView.body.notices).toEqual([]);

    for (const [type, expected] of [['received', 'received'], ['accepted', 'accepted'], ['intake_scheduled', 'accepted'], ['in_progress', 'in_progress'], ['completed', 'completed']] as const) {
      const body: Record<string, unknown> = { type };
      if (type === 'intake_scheduled') body.appointmentAt = '2026-12-01T15:00:00Z';
      const event = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: housing.token, body });
      expect(event.status, type).toBe(201);
      expect(event.body.status).toBe(expected);
    }
    const illegal = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: housing.token, body: { type: 'accepted' } });
    expect(illegal.status).toBe(409);
    expect(illegal.headers.get('content-type')).toContain('application/problem+json');
    expect(illegal.body.allowed).toEqual([]);

    const timeline = await hub.api.request('GET', `/v1/referrals/${id}/timeline`, { token: planner.token });
    expect(timeline.body.items.map((e: any) => e.type)).toEqual(['created', 'delivered', 'received', 'accepted', 'intake_scheduled', 'in_progress', 'completed']);

    const disclosures = await hub.api.request('GET', `/v1/participants/${participantId}/disclosures`, { token: compliance });
    const forThis = disclosures.body.items.filter((d: any) => d.referralId === id);
    expect(forThis.map((d: any) => d.channel).sort()).toEqual(['delivery', 'read', 'read']);
    expect(forThis[0].categories.sort()).toEqual(['contact', 'housing', 'identity']);
    expect(forThis[0].basisIds).toHaveLength(1);
  });

  it('stops a queued delivery when the consent is revoked, and shows the partner nothing afterwards', async () => {
    const consents = await hub.api.request('GET', `/v1/consents?participantId=${participantId}`, { token: compliance });
    const active = consents.body.items.find((c: any) => c.status === 'active');
    const revoked = await hub.api.request('POST', `/v1/consents/${active.id}/revoke`, { token: compliance, body: { reason: 'participant withdrew' } });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');

    const created = await hub.api.request('POST', '/v1/referrals', {
      token: planner.token,
      body: { participantId, partnerId: housing.id, service: 'housing', purpose: 'care_coordination', reason: 'after revocation', caseFile: fullCaseFile() },
    });
    expect(created.body.status).toBe('awaiting_consent');

    const list = await hub.api.request('GET', '/v1/referrals', { token: housing.token });
    expect(list.status).toBe(200);
    for (const item of list.body.items) expect(item.caseFile).toEqual({});
    expect(list.body.items.some((r: any) => r.id === created.body.id)).toBe(false);
  });

  it('leaves an audit trail of token issuance, case-data reads and writes, consent changes and deliveries', async () => {
    const rows = await hub.db.sql<{ action: string }[]>`SELECT DISTINCT action FROM audit_log`;
    const actions = rows.map((r) => r.action);
    for (const action of ['token.issued', 'participant.created', 'consent.created', 'consent.revoked', 'referral.created', 'referral.delivered', 'referral.read', 'referral.event', 'referral.timeline.read', 'disclosures.read']) {
      expect(actions, action).toContain(action);
    }
    expect((await hub.api.request('GET', '/v1/audit/verify', { token: hub.adminToken })).body.valid).toBe(true);
  });
});
