import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { DELIVERY_QUEUE, type DeliveryJob } from '../lib/queues.js';
import { LRUCache } from 'lru-cache';
import { processDelivery, sendsToServer } from '../services/deliveries.js';
import type { Hub } from '../services/hub.js';
import { touchRelayed } from '../store/outbox.js';
import { PartnerLimits } from './partner-limits.js';

/**
 * The delivery worker: takes a job off the queue, keeps to the partner's limits, and hands the
 * attempt to the delivery use case (services/deliveries.ts). The job carries ids only.
 */
export function startDeliveryWorker(hub: Hub, connection: Redis, concurrency = hub.config.HUB_WORKER_CONCURRENCY): Worker<DeliveryJob> {
  const limits = new PartnerLimits(hub.redis, hub.config.HUB_QUEUE_PREFIX, hub.config.HUB_PARTNER_CONCURRENCY, hub.config.HUB_PARTNER_RPS);
  const slotMs = hub.config.HUB_DELIVERY_TIMEOUT_MS * 2 + 5000;
  const leaseMs = hub.config.HUB_RELAY_LEASE_SECONDS * 1000;
  // When each waiting job last renewed its relay lease. A third of the lease apart is fresh enough
  // (the relay takes a row back only after a whole lease), and a backlog of thousands waiting for
  // one partner then costs one UPDATE a job per lease third, not one every time it wakes to find
  // the partner still full. Lost with the process, as the jobs' leases are: the relay then
  // queues those rows again, which is its job.
  const leaseRenewed = new LRUCache<string, number>({ max: 100_000, ttl: leaseMs });
  const worker = new Worker<DeliveryJob>(
    DELIVERY_QUEUE,
    async (job: Job<DeliveryJob>, token?: string) => {
      const partnerId = job.data.partnerId;
      if (!partnerId || !(await sendsToServer(hub, partnerId))) return processDelivery(hub, job.data);
      const slot = await limits.tryAcquire(partnerId, job.id ?? job.data.outboxId, slotMs);
      if (!slot.ok) {
        // The partner is at its limit: give the worker slot back and wait in Redis. Keep the
        // outbox row's lease fresh so the relay does not take the wait for a lost job and queue it again.
        hub.metrics.partnerLimitWaits.inc();
        // The relay took the lease when it added the job.
        const renewed = leaseRenewed.get(job.data.outboxId) ?? job.timestamp;
        if (Date.now() - renewed > leaseMs / 3) {
          await touchRelayed(hub.sql, job.data.outboxId);
          leaseRenewed.set(job.data.outboxId, Date.now());
        }
        await job.moveToDelayed(Date.now() + slot.retryInMs, token);
        throw new DelayedError();
      }
      try {
        return await processDelivery(hub, job.data);
      } finally {
        leaseRenewed.delete(job.data.outboxId);
        await slot.release().catch(() => {});
      }
    },
    { connection, prefix: hub.config.HUB_QUEUE_PREFIX, concurrency },
  );
  worker.on('failed', (job, error) => {
    // The outbox row stays claimed until its lease runs out; the relay then hands it over again.
    hub.logger.warn({ jobId: job?.id, err: error.message }, 'delivery job failed; the relay will retry it after the lease');
  });
  worker.on('error', (error) => hub.logger.warn({ err: error.message }, 'delivery worker error'));
  return worker;
}
