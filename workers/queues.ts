import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

export const DELIVERY_QUEUE = 'deliveries';

/** A job carries ids only (BullMQ guide): the outbox row in Postgres is the record. */
export interface DeliveryJob {
  outboxId: string;
  attempt: number;
}

/** BullMQ job ids may not be all digits nor contain ':'. */
export const deliveryJobId = (outboxId: string, attempt: number, relays: number) => `ob-${outboxId}-${attempt}-${relays}`;

export function redisConnection(url: string, opts: RedisOptions = {}): Redis {
  // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null for their connections.
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...opts });
}

export function createDeliveryQueue(connection: Redis, prefix: string): Queue<DeliveryJob> {
  return new Queue<DeliveryJob>(DELIVERY_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      // Retries are scheduled in Postgres (outbox.available_at), not by BullMQ, so losing Redis
      // loses no attempt count and no backoff.
      attempts: 1,
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  });
}
