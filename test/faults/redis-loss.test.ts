import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, stopPrivateRedis } from '../../dev/redis.js';
import type { PrivateServer } from '../../dev/proc.js';
import { DELIVERY_QUEUE, type DeliveryJob } from '../../lib/queues.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { eventually } from '../support/hub.js';
import { freePort, type HubProcess } from '../support/process-hub.js';
import { allDelivered, faultEnv, inParallel, postReferral, setUpReferrals, startGateway, startPartner, startWorker, summary, tally, type Partner, showLogsOnFailure } from './support.js';

const REFERRALS = 200;

/**
 * Fault 2: Redis loses everything (FLUSHALL) while hundreds of deliveries are queued in it.
 * Expectation: the outbox relay rebuilds the queue from Postgres once the relay lease runs out;
 * nothing is lost and nothing goes out under a second webhook-id. The hub runs on a private Redis
 * (its own server in a temp dir), so the flush touches nothing else on this machine.
 */
describe('fault: Redis loses every queued delivery', () => {
  let dataDir: string;
  let redisServer: PrivateServer;
  let db: TestDatabase;
  let partner: Partner;
  let redis: Redis;
  const processes: HubProcess[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hub-faults-redis-'));
    [redisServer, db, partner] = await Promise.all([startPrivateRedis(dataDir, () => {}), createTestDatabase({ migrate: false }), startPartner()]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    redis?.disconnect();
    await partner?.receiver.close();
    if (dataDir) await stopPrivateRedis(path.join(dataDir, 'redis')).catch(() => {});
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await db?.drop();
  });

  it(`rebuilds ${REFERRALS} queued deliveries from the outbox after FLUSHALL, and takes new ones`, async () => {
    showLogsOnFailure(processes);
    const started = Date.now();
    const port = await freePort();
    const { env, adminKey, publicUrl } = await faultEnv(db.url, port, { REDIS_URL: redisServer.url, HUB_RELAY_LEASE_SECONDS: '2' });
    const [gateway, worker] = await Promise.all([startGateway(env, port), startWorker(env)]);
    processes.push(gateway, worker);
    const s = await setUpReferrals(gateway.url, publicUrl, adminKey, [partner.url]);

    // Hold the deliveries in Redis: with the queue paused, the relay moves every outbox row into
    // BullMQ but the worker takes none. FLUSHALL also drops the pause.
    const queue = new Queue<DeliveryJob>(DELIVERY_QUEUE, { connection: redis, prefix: env.HUB_QUEUE_PREFIX });
    await queue.pause();
    const responses = await inParallel(REFERRALS, 8, () => postReferral(s));
    const sent = responses.filter((r) => r.status === 201).map((r) => r.body.id as string);
    expect(sent).toHaveLength(REFERRALS);
    // Distinct outbox rows: a row whose lease ran out while paused is queued again under a new job id.
    const queuedRows = async () => new Set((await queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, -1)).map((j) => j.data.outboxId)).size;
    const queuedBeforeFlush = await eventually(async () => {
      const n = await queuedRows();
      return n >= REFERRALS ? n : undefined;
    }, 15_000, `${REFERRALS} deliveries queued in Redis`);
    expect(partner.receiver.received).toHaveLength(0);

    await redis.flushall();
    const flushedAt = Date.now();
    const queuedAfterFlush = await queuedRows();
    expect(queuedAfterFlush).toBe(0);
    // The hub goes on taking referrals on the emptied Redis.
    const after = await inParallel(10, 4, () => postReferral(s));
    expect(after.map((r) => r.status)).toEqual(after.map(() => 201));
    sent.push(...after.map((r) => r.body.id as string));

    await eventually(async () => (allDelivered(sent, [partner]) ? true : undefined), 30_000, 'every referral to be delivered after the flush');
    const recoveredInMs = Date.now() - flushedAt;
    const counts = tally(sent, [partner]);
    summary(
      `Redis FLUSHALL with ${queuedBeforeFlush} deliveries queued (private Redis, relay lease 2 s)`,
      'relay rebuilds the queue from Postgres; 10 posted after the flush also delivered; none lost, one webhook-id each',
      { ...counts, queuedBeforeFlush, queuedAfterFlush, recoveredInMs },
      started,
    );
    expect({ sent: counts.sent, delivered: counts.delivered, duplicates: counts.duplicates, lost: counts.lost }).toEqual({
      sent: REFERRALS + 10,
      delivered: REFERRALS + 10,
      duplicates: 0,
      lost: 0,
    });
    await queue.close();
  });
});
