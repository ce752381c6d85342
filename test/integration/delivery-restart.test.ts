import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAttempt } from '../../store/outbox.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import {
  allDelivered, allRelayed, answer, consentingParticipant, deliveriesSettled, deliveryCounts, loseQueuedJobs, outboxRows, planningAgency, referMany, sleep, statusBecomes, webhookPartner, type Agency, type WebhookPartner,
} from '../support/delivery.js';

const LEASE_S = 3;
const TIMEOUT_MS = 1000;
// What a worker's claim on an attempt holds it for (workers/delivery.ts).
const CLAIM_S = Math.max(LEASE_S, (TIMEOUT_MS / 1000) * 2);

describe('pending deliveries resume after a restart or a crashed worker', () => {
  let hub: TestHub;
  let agency: Agency;
  const partners: WebhookPartner[] = [];

  beforeAll(async () => {
    // Retries 3 s apart after the first: the first test stops the hub while a partner answering 500
    // still has attempts left. At 0.3 s apart a loaded machine ran two referrals through all six
    // before the stop, and they were delivery_failed instead of pending.
    hub = await startTestHub({ HUB_RELAY_LEASE_SECONDS: String(LEASE_S), HUB_DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS), HUB_DELIVERY_SCHEDULE: '0,0.3,3,3,3,3' });
    agency = await planningAgency(hub);
  });
  afterAll(async () => {
    await Promise.all(partners.map((p) => p.receiver.close()));
    await hub?.stop();
  });

  async function partnerWithParticipant(behaviour: Parameters<typeof webhookPartner>[2]) {
    const partner = await webhookPartner(hub, `Partner ${partners.length + 1}`, behaviour);
    partners.push(partner);
    const { participantId } = await consentingParticipant(hub, agency, [partner.id]);
    return { partner, participantId };
  }

  it('completes deliveries pending when the hub stops, once a new hub starts on the same database and queue', async () => {
    const hanging = await partnerWithParticipant(answer('hang'));
    const failing = await partnerWithParticipant(answer(500));
    const hangingIds = await referMany(hub, agency, hanging.participantId, hanging.partner.id, 5);
    const failingIds = await referMany(hub, agency, failing.participantId, failing.partner.id, 5);
    await eventually(async () => (hangingIds.every((id) => hanging.partner.postsFor(id).length > 0) ? true : undefined), 10_000, 'hanging deliveries');
    await eventually(async () => (failingIds.every((id) => failing.partner.postsFor(id).length > 0) ? true : undefined), 10_000, 'failing deliveries');

    await hub.running.stop();
    const sentWhileDown = hanging.partner.posts.length + failing.partner.posts.length;
    hanging.partner.behaviour = answer(204);
    failing.partner.behaviour = answer(204);
    await sleep(500);
    expect(hanging.partner.posts.length + failing.partner.posts.length, 'nothing is sent while the hub is down').toBe(sentWhileDown);
    const pending = await hub.db.sql`SELECT id FROM referrals WHERE id = ANY(${[...hangingIds, ...failingIds]}) AND status = 'queued'`;
    expect(pending).toHaveLength(10);

    await hub.restart();
    await allDelivered(hub, [...hangingIds, ...failingIds], 15_000);
    // Every row finished and no job left for any of them: a duplicate would have been sent by now.
    await deliveriesSettled(hub, [...hangingIds, ...failingIds]);
    for (const [partner, ids] of [[hanging.partner, hangingIds], [failing.partner, failingIds]] as const) {
      const counts = await deliveryCounts(hub, partner, ids);
      expect(counts).toEqual({ sent: 5, delivered: 5, reachedPartner: 5, duplicates: 0, lost: 0 });
    }
  });

  it('completes deliveries that were waiting in Redis when the hub stopped and Redis lost everything before it came back', async () => {
    const { partner, participantId } = await partnerWithParticipant(answer(204));
    await hub.running.hub.deliveries.pause();
    const ids = await referMany(hub, agency, participantId, partner.id, 5);
    await allRelayed(hub, ids);
    await hub.running.stop();
    expect(await loseQueuedJobs(hub), 'the jobs (and the pause) were in Redis').toBeGreaterThan(0);

    await hub.restart();
    await allDelivered(hub, ids, LEASE_S * 1000 + 10_000);
    await deliveriesSettled(hub, ids);
    expect(await deliveryCounts(hub, partner, ids)).toEqual({ sent: 5, delivered: 5, reachedPartner: 5, duplicates: 0, lost: 0 });
  });

  it(`resumes a delivery whose worker crashed mid-attempt as soon as its ${CLAIM_S} s claim lapses`, async () => {
    const { partner, participantId } = await partnerWithParticipant(answer(204));
    const queue = hub.running.hub.deliveries;
    await queue.pause();
    let crashedAt: number;
    let id: string;
    try {
      [id] = (await referMany(hub, agency, participantId, partner.id, 1)) as [string];
      const relayed = await eventually(async () => (await outboxRows(hub, [id]))[0]!.relayed_at ?? undefined, 5_000, 'the job to be queued');
      // Another worker process takes the job a second after the relay queued it (a backlog), claims
      // the attempt as every worker does first, and dies before it finishes.
      await sleep(Math.max(0, relayed.getTime() + 1000 - Date.now()));
      const [row] = await outboxRows(hub, [id]);
      expect(await claimAttempt(hub.db.sql, row!.id, 0, CLAIM_S)).toBeDefined();
      crashedAt = Date.now();
    } finally {
      await queue.resume();
    }

    const delivered = await statusBecomes(hub, agency, id, 'delivered', 15_000);
    const resumedAfter = (Date.parse(delivered.deliveredAt!) - crashedAt) / 1000;
    expect(resumedAfter, 'not before the claim lapses').toBeGreaterThanOrEqual(CLAIM_S - 0.1);
    expect(resumedAfter, 'resumed soon after the claim lapses, not a whole lease later').toBeLessThan(CLAIM_S + 2.5);
    expect(partner.postsFor(id)).toHaveLength(1);
  });
});
