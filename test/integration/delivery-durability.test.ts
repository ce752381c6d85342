import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processDelivery } from '../../services/deliveries.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import {
  allDelivered, allRelayed, answer, consentingParticipant, deliveriesSettled, deliveryCounts, loseQueuedJobs, outboxRows, planningAgency, recoversAfter, referMany, statusBecomes,
  webhookPartner, type Agency, type WebhookPartner,
} from '../support/delivery.js';

const LEASE_S = 2;
const BATCH = 50;

describe('deliveries survive Redis losing its jobs, and duplicate jobs send nothing twice', () => {
  let hub: TestHub;
  let agency: Agency;
  const partners: WebhookPartner[] = [];

  beforeAll(async () => {
    hub = await startTestHub({ HUB_RELAY_LEASE_SECONDS: String(LEASE_S), HUB_DELIVERY_TIMEOUT_MS: '600', HUB_DELIVERY_SCHEDULE: '0,0.3,0.3,0.3,0.3,0.3' });
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

  it(`delivers all ${BATCH} referrals exactly once after Redis loses the jobs waiting while the workers are paused`, async () => {
    const { partner, participantId } = await partnerWithParticipant(answer(204));
    const queue = hub.running.hub.deliveries;
    await queue.pause();
    try {
      const ids = await referMany(hub, agency, participantId, partner.id, BATCH);
      await allRelayed(hub, ids);
      // The relay marks a row relayed in the same statement that claims it, then adds the jobs: wait
      // for Redis to hold at least one job each (more if posting outlasted the lease). A worker that
      // was already blocked fetching when the queue paused may take one: count active and completed too.
      await eventually(async () => {
        const inRedis = await queue.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active', 'completed');
        return inRedis >= BATCH ? true : undefined;
      }, 10_000, 'a job for every referral in Redis');

      expect(await loseQueuedJobs(hub), 'Redis held keys for this hub').toBeGreaterThan(0);
      expect(await queue.count()).toBe(0);
      await queue.resume();

      await allDelivered(hub, ids, 15_000);
      // Every row finished and no job left for any of them: a duplicate would have been sent by now.
      await deliveriesSettled(hub, ids);
      const counts = await deliveryCounts(hub, partner, ids);
      expect(counts, `sent ${counts.sent}, delivered ${counts.delivered}, duplicates ${counts.duplicates}, lost ${counts.lost}`).toEqual({
        sent: BATCH, delivered: BATCH, reachedPartner: BATCH, duplicates: 0, lost: 0,
      });
      expect(partner.posts).toHaveLength(BATCH);
    } finally {
      await queue.resume();
    }
  });

  it(`delivers all ${BATCH} referrals exactly once after Redis loses its jobs while a slow partner holds deliveries in flight`, async () => {
    // Each message's first post hangs until the hub's timeout; the retry is answered.
    const { partner, participantId } = await partnerWithParticipant(recoversAfter(1, 'hang'));
    const ids = await referMany(hub, agency, participantId, partner.id, BATCH);
    await eventually(async () => (partner.posts.length >= 10 ? true : undefined), 10_000, 'deliveries in flight');

    expect(await loseQueuedJobs(hub)).toBeGreaterThan(0);

    await allDelivered(hub, ids, 25_000);
    // Every row finished and no job left for any of them (the relay's re-queued ones included).
    await deliveriesSettled(hub, ids);
    const counts = await deliveryCounts(hub, partner, ids);
    expect(counts, `sent ${counts.sent}, delivered ${counts.delivered}, duplicates ${counts.duplicates}, lost ${counts.lost}`).toEqual({
      sent: BATCH, delivered: BATCH, reachedPartner: BATCH, duplicates: 0, lost: 0,
    });
    expect(partner.posts, 'each message: one timed-out post, one answered retry').toHaveLength(2 * BATCH);
  });

  it('ignores a duplicate job for an attempt already made: nothing is sent twice', async () => {
    const { partner, participantId } = await partnerWithParticipant(answer(204));
    const [id] = await referMany(hub, agency, participantId, partner.id, 1);
    await statusBecomes(hub, agency, id!, 'delivered');
    const [row] = await outboxRows(hub, [id!]);

    // A stale job, run directly and through the queue, under a job id the relay never used.
    expect(await processDelivery(hub.running.hub, { outboxId: row!.id, attempt: 0 })).toBe('stale');
    const job = await hub.running.hub.deliveries.add('deliver', { outboxId: row!.id, attempt: 0 }, { jobId: `ob-${row!.id}-0-dup` });
    await eventually(async () => ((await job.getState()) === 'completed' ? true : undefined), 5_000, 'the duplicate job to run');
    expect((await hub.running.hub.deliveries.getJob(job.id!))!.returnvalue).toBe('stale');

    await deliveriesSettled(hub, [id!]);
    expect(partner.postsFor(id!)).toHaveLength(1);
    expect((await outboxRows(hub, [id!]))[0]).toMatchObject({ attempts: 1, outcome: 'delivered' });
  });

  it('lets only one of two jobs racing for the same attempt send it', async () => {
    const { partner, participantId } = await partnerWithParticipant(answer(204));
    const queue = hub.running.hub.deliveries;
    await queue.pause();
    let id: string | undefined;
    try {
      [id] = await referMany(hub, agency, participantId, partner.id, 1);
      await allRelayed(hub, [id!]);
      const [row] = await outboxRows(hub, [id!]);
      const results = await Promise.all([0, 1, 2].map(() => processDelivery(hub.running.hub, { outboxId: row!.id, attempt: 0 })));
      expect(results.sort()).toEqual(['delivered', 'stale', 'stale']);
    } finally {
      await queue.resume();
    }
    // The relayed job, run after the race, is stale too.
    const [row] = await deliveriesSettled(hub, [id!]);
    const relayed = (await queue.getJobs(['completed'])).filter((job) => String(job.data.outboxId) === String(row!.id));
    expect(relayed.map((job) => job.returnvalue)).toEqual(['stale']);
    expect(partner.posts).toHaveLength(1);
  });
});
