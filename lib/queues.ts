import { Queue, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

export const DELIVERY_QUEUE = 'deliveries';

/** A job carries ids only (BullMQ guide): the outbox row in Postgres is the record. */
export interface DeliveryJob {
  outboxId: string;
  attempt: number;
  /** For the per-partner limits; absent on jobs queued by an older hub. */
  partnerId?: string;
}

/**
 * One relay of one attempt of one outbox row of one database. Outbox ids are a per-database
 * sequence, so the database's own identity (store/database-instance.ts) keeps a recreated
 * database, or another hub's on the same queue prefix, from naming a job another one already
 * used: BullMQ would keep that job (completed ones too) and drop ours without a word.
 * BullMQ job ids may not be all digits nor contain ':'.
 */
export const deliveryJobId = (database: string, outboxId: string, attempt: number, relays: number) => `ob-${database}-${outboxId}-${attempt}-${relays}`;

/**
 * The jobs of an `addBulk` that BullMQ did not add. Given an id it already holds, BullMQ keeps
 * that job (completed or failed ones included), answers with its id as if it had added ours, and
 * says nothing. The job stored under the id then carries another creation time than ours.
 * A job already processed and removed counts as added: it was ours. `redis`: the queue's server.
 */
export async function jobsKeptInstead<T>(redis: Redis, queue: Queue<T>, jobs: Job<T>[]): Promise<Job<T>[]> {
  if (jobs.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const job of jobs) pipeline.hget(queue.toKey(job.id!), 'timestamp');
  const stored = (await pipeline.exec()) ?? [];
  return jobs.filter((job, i) => {
    const [error, timestamp] = stored[i] ?? [null, null];
    if (error) throw error;
    return timestamp !== null && Number(timestamp) !== job.timestamp;
  });
}

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

/** Status polls of FHIR partners (workers/status-poll.ts): one job scheduler per partner, plus rest-hook nudges. */
export const STATUS_POLL_QUEUE = 'status-polls';

export interface StatusPollJob {
  partnerId: string;
}

export function createStatusPollQueue(connection: Redis, prefix: string): Queue<StatusPollJob> {
  return new Queue<StatusPollJob>(STATUS_POLL_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } },
  });
}

/** Set by a notification, cleared by the poll that starts after it (see workers/status-poll.ts). */
export const pollRequestedKey = (prefix: string, partnerId: string) => `${prefix}:fhir-notified:${partnerId}`;

/**
 * Asks for a poll of one partner now (rest-hook). Notifications that arrive while a poll waits
 * fold into it; one that arrives while a poll runs leaves the flag set, and that poll runs again,
 * so a change notified after a poll's search began is never left for the next interval.
 */
export async function requestPoll(queue: Queue<StatusPollJob>, redis: Redis, prefix: string, partnerId: string): Promise<void> {
  await redis.set(pollRequestedKey(prefix, partnerId), '1', 'EX', 3600);
  await queue.add('notify', { partnerId }, { deduplication: { id: `notify-${partnerId}` } });
}
