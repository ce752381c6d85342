import { Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { kindsThat, pollEverySeconds } from '../adapters/index.js';
import type { Hub } from '../services/hub.js';
import { processStatusPoll } from '../services/status-sync.js';
import { listOrganizationsByAdapter } from '../store/organizations.js';
import { pollRequestedKey, STATUS_POLL_QUEUE, type StatusPollJob } from '../lib/queues.js';

/**
 * Status back from partners that do not call the hub (docs/architecture.md, flow 4): one BullMQ job
 * scheduler per FHIR partner runs a poll every `pollIntervalSeconds`; a rest-hook notification
 * (`POST /fhir/notify/{partnerId}`) adds a poll at once. Job schedulers live in Redis, so with
 * several worker processes each partner is still polled once per interval. Jobs carry the
 * partner id only; the cursor and the versions applied are in Postgres.
 */

export const pollSchedulerId = (partnerId: string) => `fhir-poll-${partnerId}`;
/** How often a worker looks for FHIR partners added, changed or removed. */
const SYNC_SCHEDULES_MS = 2_000;

/** Polls, and polls again while rest-hook notifications arrived during the poll (bounded). */
async function pollUntilQuiet(hub: Hub, partnerId: string) {
  const flag = pollRequestedKey(hub.config.HUB_QUEUE_PREFIX, partnerId);
  let result: Awaited<ReturnType<typeof processStatusPoll>> = { read: 0, applied: 0 };
  for (let round = 0; round < 3; round++) {
    await hub.redis.del(flag);
    result = await processStatusPoll(hub, partnerId);
    if ((await hub.redis.exists(flag)) === 0) break;
  }
  return result;
}

/**
 * Keeps one job scheduler per FHIR partner in step with the organisations table. It compares with
 * the schedulers Redis actually holds, not with what this process remembers creating, so
 * schedulers lost with Redis's contents come back and those of partners that left are removed.
 */
async function syncSchedules(hub: Hub, queue: Queue<StatusPollJob>): Promise<void> {
  const partners = await listOrganizationsByAdapter(hub.sql, kindsThat('polls'));
  const wanted = new Map(partners.map((p) => [pollSchedulerId(p.id), { partnerId: p.id, every: pollEverySeconds(p.adapter)! * 1000 }]));
  const existing = new Map((await queue.getJobSchedulers(0, -1)).map((s) => [s.key, s.every]));
  for (const [key, { partnerId, every }] of wanted) {
    if (existing.get(key) === every) continue;
    await queue.upsertJobScheduler(key, { every }, { name: 'poll', data: { partnerId } });
  }
  for (const key of existing.keys()) {
    if (!wanted.has(key) && key.startsWith(pollSchedulerId(''))) await queue.removeJobScheduler(key);
  }
}

export function startStatusPolling(hub: Hub, connection: Redis, concurrency = 4): { worker: Worker<StatusPollJob>; stop(): Promise<void> } {
  const worker = new Worker<StatusPollJob>(STATUS_POLL_QUEUE, (job: Job<StatusPollJob>) => pollUntilQuiet(hub, job.data.partnerId), {
    connection,
    prefix: hub.config.HUB_QUEUE_PREFIX,
    concurrency,
  });
  worker.on('failed', (job, error) => hub.logger.warn({ jobId: job?.id, err: error.message }, 'status poll failed; the next one retries'));
  worker.on('error', (error) => hub.logger.warn({ err: error.message }, 'status poll worker error'));

  let running = true;
  let syncing: Promise<void> = Promise.resolve();
  const sync = () => {
    syncing = syncSchedules(hub, hub.statusPolls).catch((error: Error) => hub.logger.warn({ err: error.message }, 'status poll schedule sync failed'));
  };
  sync();
  const timer = setInterval(() => {
    if (running) sync();
  }, SYNC_SCHEDULES_MS);
  timer.unref();

  return {
    worker,
    async stop() {
      running = false;
      clearInterval(timer);
      await syncing;
      await worker.close();
    },
  };
}
