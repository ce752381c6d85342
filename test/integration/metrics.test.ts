import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, consentingParticipant, planningAgency, plannerView, refer, statusBecomes, webhookPartner, type Agency, type WebhookPartner } from '../support/delivery.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { scrapeMetrics } from '../support/metrics.js';

// The second attempt comes a minute later: a referral whose first attempt failed stays scheduled
// for the whole test.
const SCHEDULE = { HUB_DELIVERY_SCHEDULE: '0,60' };

describe('/metrics after deliveries', () => {
  let hub: TestHub;
  let agency: Agency;
  const partners: WebhookPartner[] = [];

  beforeAll(async () => {
    hub = await startTestHub(SCHEDULE);
    agency = await planningAgency(hub);
  });
  afterAll(async () => {
    await Promise.all(partners.map((p) => p.receiver.close()));
    await hub?.stop();
  });

  async function referralTo(name: string, status: number) {
    const partner = await webhookPartner(hub, name, answer(status));
    partners.push(partner);
    const { participantId } = await consentingParticipant(hub, agency, [partner.id]);
    return { partnerId: partner.id, referralId: (await refer(hub, agency, participantId, partner.id)).id };
  }

  it('counts each partner’s deliveries by outcome, consent decisions, and the backlog left waiting', async () => {
    const accepting = await referralTo('Eastside Housing', 204);
    const down = await referralTo('Northside Housing', 503);
    const gone = await referralTo('Westside Housing', 410);
    await statusBecomes(hub, agency, accepting.referralId, 'delivered');
    await statusBecomes(hub, agency, gone.referralId, 'delivery_failed');
    await eventually(async () => ((await plannerView(hub, agency, down.referralId)).lastError ? true : undefined), 10_000, 'the first attempt to fail');

    const metrics = await scrapeMetrics(hub.running.url!);
    const outcome = (partnerId: string, value: string) => metrics.value('hub_partner_deliveries_total', { partner: partnerId, kind: 'deliver', outcome: value });
    expect(outcome(accepting.partnerId, 'delivered')).toBe(1);
    expect(outcome(down.partnerId, 'retry')).toBe(1);
    expect(outcome(gone.partnerId, 'failed')).toBe(1);
    expect(outcome(accepting.partnerId, 'retry')).toBeUndefined();

    // The consent names identity, contact and housing: every decision permits part of the case file.
    // Each referral was decided when posted and again when sent.
    expect(metrics.value('hub_consent_decisions_total', { direction: 'to_partner', outcome: 'partial' })).toBeGreaterThanOrEqual(6);

    // The one waiting for its retry is scheduled, not due; nothing is left in Redis.
    expect(metrics.value('hub_outbox_pending', { state: 'scheduled' })).toBe(1);
    expect(metrics.value('hub_outbox_pending', { state: 'due' })).toBe(0);
    expect(metrics.value('hub_delivery_oldest_due_seconds')).toBe(0);
    for (const state of ['waiting', 'active', 'delayed']) expect(metrics.value('hub_delivery_jobs', { state }), state).toBe(0);

    // /readyz reads the same backlog.
    const ready = (await (await fetch(`${hub.running.url}/readyz`)).json()) as { deliveries: Record<string, unknown> };
    expect(ready.deliveries).toMatchObject({ due: 0, scheduled: 1, oldestDueSeconds: 0, consuming: true });
  });
});

describe('/metrics of a hub whose deliveries nobody consumes', () => {
  let hub: TestHub;
  const partners: WebhookPartner[] = [];
  beforeAll(async () => {
    // A gateway without workers: what it accepts stays due, as when every worker has stopped.
    hub = await startTestHub({ HUB_ROLE: 'gateway' });
  });
  afterAll(async () => {
    await Promise.all(partners.map((p) => p.receiver.close()));
    await hub?.stop();
  });

  it('shows the due delivery and its growing age, as /readyz does', async () => {
    const agency = await planningAgency(hub);
    const partner = await webhookPartner(hub, 'Eastside Housing');
    partners.push(partner);
    const { participantId } = await consentingParticipant(hub, agency, [partner.id]);
    await refer(hub, agency, participantId, partner.id);

    const metrics = await eventually(async () => {
      const m = await scrapeMetrics(hub.running.url!);
      return (m.value('hub_delivery_oldest_due_seconds') ?? 0) > 0 ? m : undefined;
    }, 10_000, 'the delivery to be due for a while');
    expect(metrics.value('hub_outbox_pending', { state: 'due' })).toBe(1);
    expect(metrics.value('hub_outbox_pending', { state: 'scheduled' })).toBe(0);
    // Never relayed: Redis holds no job for it.
    expect(metrics.value('hub_delivery_jobs', { state: 'waiting' })).toBe(0);

    const ready = (await (await fetch(`${hub.running.url}/readyz`)).json()) as { deliveries: { due: number; oldestDueSeconds: number } };
    expect(ready.deliveries.due).toBe(1);
    expect(ready.deliveries.oldestDueSeconds).toBeGreaterThanOrEqual(metrics.value('hub_delivery_oldest_due_seconds')!);
  });
});
