import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { permitConsent } from '../support/fixtures.js';
import {
  allRelayed, answer, consentingParticipant, deliveriesSettled, grantConsent, newParticipant, outboxRows, planningAgency, plannerView, refer, revokeConsent, statusBecomes, timeline,
  webhookPartner, type Agency, type WebhookPartner,
} from '../support/delivery.js';

// Many quick retries, so a referral is still retrying when the consent changes.
const SCHEDULE = '0,0.4,0.4,0.4,0.4,0.4,0.4,0.4,0.4,0.4,0.4,0.4';

describe('consent changes and cancellations act on deliveries in progress', () => {
  let hub: TestHub;
  let agency: Agency;
  const partners: WebhookPartner[] = [];

  beforeAll(async () => {
    hub = await startTestHub({ HUB_DELIVERY_SCHEDULE: SCHEDULE, HUB_DELIVERY_TIMEOUT_MS: '1000' });
    agency = await planningAgency(hub);
  });
  afterAll(async () => {
    await Promise.all(partners.map((p) => p.receiver.close()));
    await hub?.stop();
  });
  // A test that moves the hub's clock leaves the next one on real time, where its consents are written.
  afterEach(() => {
    hub.clock.reset();
  });

  async function referralTo(behaviour: Parameters<typeof webhookPartner>[2]) {
    const partner = await webhookPartner(hub, `Partner ${partners.length + 1}`, behaviour);
    partners.push(partner);
    const { participantId, consentId } = await consentingParticipant(hub, agency, [partner.id]);
    const referral = await refer(hub, agency, participantId, partner.id);
    expect(referral.status).toBe('queued');
    return { partner, participantId, consentId, id: referral.id };
  }

  /** Runs `during` while a test transaction holds `table` locked, so a worker that reaches it waits there. */
  async function whileLocked(table: 'case_file_entries' | 'delivery_attempts', during: (workerWaiting: () => Promise<void>) => Promise<void>) {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let lockTaken!: () => void;
    const taken = new Promise<void>((resolve) => (lockTaken = resolve));
    const locked = hub.db.sql.begin(async (tx) => {
      await tx.unsafe(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      lockTaken();
      await gate;
    });
    await taken;
    const workerWaiting = () =>
      eventually(
        async () => {
          const waiting = await hub.db.sql`SELECT 1 FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE ${`%${table}%`}`;
          return waiting.length > 0 ? true : undefined;
        },
        5_000,
        `the delivery worker to wait on ${table}`,
      ).then(() => undefined);
    try {
      await during(workerWaiting);
    } finally {
      release();
      await locked;
    }
  }

  it('stops a referral that is retrying when its consent is revoked, and delivers it with the same webhook-id once a new consent permits it', async () => {
    const { partner, participantId, consentId, id } = await referralTo(answer(500));
    await eventually(async () => (partner.postsFor(id).length >= 2 ? true : undefined), 10_000, 'two failed attempts');

    await revokeConsent(hub, agency, consentId);
    const sentBeforeRevocation = partner.postsFor(id).length;
    const held = await plannerView(hub, agency, id);
    expect(held.status).toBe('awaiting_consent');
    const entries = await timeline(hub, agency, id);
    expect(entries.map((e) => e.type)).toEqual(['created', 'awaiting_consent']);
    expect(entries[1]!.reason).toMatch(/consent no longer permits/);

    // The revocation finished the row (withheld); the retry that was due finds it finished.
    const [row] = await deliveriesSettled(hub, [id]);
    expect(row!.outcome).toBe('withheld');
    expect(partner.postsFor(id), 'no webhook after the revocation').toHaveLength(sentBeforeRevocation);
    expect((await plannerView(hub, agency, id)).status).toBe('awaiting_consent');
    const partnerClient = await hub.client(partner.id, 'partner');
    expect((await hub.api.request('GET', `/v1/referrals/${id}`, { token: partnerClient })).status, 'the partner never had it').toBe(404);

    partner.behaviour = answer(204);
    await grantConsent(hub, agency, participantId, [partner.id]);
    await statusBecomes(hub, agency, id, 'delivered');
    const posts = partner.postsFor(id);
    expect(posts).toHaveLength(sentBeforeRevocation + 1);
    expect(new Set(posts.map((p) => p.webhookId)).size, 'the released delivery reuses the webhook-id').toBe(1);
    expect((await timeline(hub, agency, id)).map((e) => e.type)).toEqual(['created', 'awaiting_consent', 'queued', 'delivered']);
  });

  it('stops a delivery whose job is already waiting in the queue when the consent is revoked', async () => {
    const queue = hub.running.hub.deliveries;
    await queue.pause();
    let partner: WebhookPartner;
    let id: string;
    try {
      let consentId: string;
      ({ partner, id, consentId } = await referralTo(answer(204)));
      await allRelayed(hub, [id]);
      await revokeConsent(hub, agency, consentId);
    } finally {
      await queue.resume();
    }
    // The job ran after the revocation, found its row finished, and sent nothing.
    expect((await deliveriesSettled(hub, [id!])).map((r) => r.outcome)).toEqual(['withheld']);
    expect(partner!.posts).toHaveLength(0);
    expect((await plannerView(hub, agency, id!)).status).toBe('awaiting_consent');
  });

  it('holds a replayed referral back when its consent was revoked after the delivery failed', async () => {
    const { partner, consentId, id } = await referralTo(answer(410));
    await statusBecomes(hub, agency, id, 'delivery_failed');
    await revokeConsent(hub, agency, consentId);
    partner.behaviour = answer(204);

    const replay = await hub.api.request('POST', `/v1/referrals/${id}/replay`, { token: agency.planner });
    expect(replay.status).toBe(200);
    await statusBecomes(hub, agency, id, 'awaiting_consent');
    const entries = await timeline(hub, agency, id);
    expect(entries.map((e) => e.type)).toEqual(['created', 'delivery_failed', 'queued', 'awaiting_consent']);
    expect(entries[3]!.reason).toMatch(/^delivery stopped: /);
    expect((await deliveriesSettled(hub, [id])).map((r) => r.outcome)).toEqual(['failed', 'withheld']);
    expect(partner.postsFor(id), 'only the first, failed, attempt').toHaveLength(1);
  });

  it('tells a webhook partner that a delivered referral was cancelled, in a message with its own webhook-id', async () => {
    const { partner, id } = await referralTo(answer(204));
    await statusBecomes(hub, agency, id, 'delivered');
    const created = partner.postsFor(id)[0]!;

    const cancel = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: agency.planner, body: { type: 'cancelled', reason: 'participant moved away' } });
    expect(cancel.status).toBe(201);
    expect(cancel.body.status).toBe('cancelled');

    const notice = await partner.receiver.waitFor((m) => (m.json as any)?.type === 'referral.cancelled', 5_000);
    expect(notice.signatureValid).toBe(true);
    expect(notice.json).toMatchObject({ type: 'referral.cancelled', data: { referral: { id, status: 'cancelled' } } });
    expect(notice.headers['webhook-id']).not.toBe(created.webhookId);
    const rows = await deliveriesSettled(hub, [id]);
    expect(rows.map((r) => [r.kind, r.outcome])).toEqual([['deliver', 'delivered'], ['cancel', 'delivered']]);
    expect(partner.postsFor(id, 'referral.cancelled'), 'one cancellation message').toHaveLength(1);
    expect(partner.postsFor(id), 'the referral itself is not sent again').toHaveLength(1);
    expect((await plannerView(hub, agency, id)).status).toBe('cancelled');
  });

  it('retries the cancellation message to a partner that fails, with its one webhook-id', async () => {
    const { partner, id } = await referralTo(answer(204));
    await statusBecomes(hub, agency, id, 'delivered');
    partner.behaviour = (post, earlier) => (earlier.length < 2 ? 503 : 204);
    await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: agency.planner, body: { type: 'cancelled' } });
    await eventually(async () => (partner.postsFor(id, 'referral.cancelled').some((p) => p.answer === 204) ? true : undefined), 10_000, 'the cancellation to get through');
    const rows = await deliveriesSettled(hub, [id]);
    expect(rows.map((r) => [r.kind, r.attempts, r.outcome])).toEqual([['deliver', 1, 'delivered'], ['cancel', 3, 'delivered']]);
    const notices = partner.postsFor(id, 'referral.cancelled');
    expect(notices.map((p) => p.answer)).toEqual([503, 503, 204]);
    expect(new Set(notices.map((p) => p.webhookId)).size).toBe(1);
  });

  it('stops the delivery of a queued referral that the planner cancels while the partner is failing', async () => {
    const { partner, id } = await referralTo(answer(500));
    await eventually(async () => (partner.postsFor(id).length >= 1 ? true : undefined), 10_000, 'a failed attempt');

    const cancel = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: agency.planner, body: { type: 'cancelled' } });
    expect(cancel.status).toBe(201);
    const sent = partner.posts.length;
    // The cancellation finished the delivery and queued no cancellation message.
    expect((await deliveriesSettled(hub, [id])).map((r) => [r.kind, r.outcome])).toEqual([['deliver', 'cancelled']]);
    expect(partner.posts, 'no retry and no cancellation message: the partner never had it').toHaveLength(sent);
    expect((await plannerView(hub, agency, id)).status).toBe('cancelled');
  });

  it('sends nothing for a referral cancelled before its queued job runs', async () => {
    const queue = hub.running.hub.deliveries;
    await queue.pause();
    let partner: WebhookPartner;
    let id: string;
    try {
      ({ partner, id } = await referralTo(answer(204)));
      await allRelayed(hub, [id]);
      const cancel = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: agency.planner, body: { type: 'cancelled' } });
      expect(cancel.status).toBe(201);
    } finally {
      await queue.resume();
    }
    expect((await deliveriesSettled(hub, [id!])).map((r) => [r.kind, r.outcome])).toEqual([['deliver', 'cancelled']]);
    expect(partner!.posts).toHaveLength(0);
    expect((await plannerView(hub, agency, id!)).status).toBe('cancelled');
  });

  it('keeps a referral cancelled while its delivery was deciding under a consent that had lapsed, and never sends it', async () => {
    const partner = await webhookPartner(hub, `Partner ${partners.length + 1}`, answer(204));
    partners.push(partner);
    const participantId = await newParticipant(hub, agency);
    // The permission itself ends in a day (the provision's period), and the hub's clock is moved
    // past it before the job runs, so the worker, deciding at send time, holds the referral back;
    // nothing else does, the consent as a whole staying active.
    const base = permitConsent(participantId, partner.id, ['identity', 'contact', 'housing']);
    const lapsing = await hub.api.request('POST', '/v1/consents', {
      token: agency.compliance,
      body: { ...base, provision: { ...base.provision, period: { start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 86_400_000).toISOString() } } },
    });
    expect(lapsing.status, JSON.stringify(lapsing.body)).toBe(201);
    const queue = hub.running.hub.deliveries;
    await queue.pause();
    let id: string;
    try {
      ({ id } = await refer(hub, agency, participantId, partner.id));
      await allRelayed(hub, [id]);
      hub.clock.advance(86_400_000 + 60_000);
      // The worker waits after it has read the referral (still queued) and decided, before it acts.
      await whileLocked('case_file_entries', async (workerWaiting) => {
        await queue.resume();
        await workerWaiting();
        const cancel = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: agency.planner, body: { type: 'cancelled' } });
        expect(cancel.status).toBe(201);
      });
    } finally {
      await queue.resume();
    }
    // Finished by the cancellation; the worker, resuming, found the referral cancelled and left it so.
    expect((await deliveriesSettled(hub, [id!])).map((r) => [r.kind, r.outcome])).toEqual([['deliver', 'cancelled']]);
    expect((await plannerView(hub, agency, id!)).status, 'a cancellation is final').toBe('cancelled');
    expect((await timeline(hub, agency, id!)).map((e) => e.type)).toEqual(['created', 'cancelled']);

    // A new consent must not bring the cancelled referral back.
    // The consent's transaction reconciles the participant's referrals before it answers: a release
    // would be a new outbox row by now.
    await grantConsent(hub, agency, participantId, [partner.id]);
    expect((await outboxRows(hub, [id!])).map((r) => r.kind)).toEqual(['deliver']);
    expect((await plannerView(hub, agency, id!)).status).toBe('cancelled');
    expect(partner.posts, 'a cancelled referral is never sent').toHaveLength(0);
  });

  it('tells the partner of a cancellation that came while the referral was being sent to it', async () => {
    let partner!: WebhookPartner;
    let id!: string;
    // The worker waits after the partner has answered, before it records the outcome.
    await whileLocked('delivery_attempts', async (workerWaiting) => {
      ({ partner, id } = await referralTo(answer(204)));
      await workerWaiting();
      expect(partner.postsFor(id)).toHaveLength(1);
      expect((await plannerView(hub, agency, id)).status, 'sent, not yet recorded').toBe('queued');
      const cancel = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: agency.planner, body: { type: 'cancelled' } });
      expect(cancel.status).toBe(201);
    });
    const notice = await partner.receiver.waitFor((m) => (m.json as any)?.type === 'referral.cancelled', 5_000);
    expect(notice.json).toMatchObject({ data: { referral: { id, status: 'cancelled' } } });
    expect(notice.headers['webhook-id']).not.toBe(partner.postsFor(id)[0]!.webhookId);
    const view = await plannerView(hub, agency, id);
    expect(view.status).toBe('cancelled');
    expect(view.deliveredAt, 'the partner has it').toBeTruthy();
  });

});
