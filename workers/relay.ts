import { CHANNELS } from '../db/coordination.js';
import type { Hub } from '../services/hub.js';
import { databaseInstanceId } from '../store/database-instance.js';
import { relayAgainNow, takeDueForRelay, type OutboxRow } from '../store/outbox.js';
import { deliveryJobId, jobsKeptInstead, type DeliveryJob } from '../lib/queues.js';

const POLL_MS = 500;
const BATCH = 500;

/**
 * Moves due outbox rows into BullMQ (docs/architecture.md, flow 2). Woken at once after every
 * outbox write (services/relay-wake.ts, or a NOTIFY at commit), and polls as a fallback. A row it relayed whose job Redis lost is relayed
 * again when its lease runs out, under a new job id; duplicate jobs are harmless because a
 * delivery claims its outbox attempt in Postgres before doing anything.
 *
 * Job ids carry this database's identity, so another database's jobs on the same Redis and
 * prefix cannot take their place. Should BullMQ still keep an older job under one of our ids (a
 * restored backup or a promoted replica shares the identity of the database it copies), the
 * relay sees it, says so and queues the row again at once, rather than leaving the referral
 * `queued` for a whole lease.
 */
export async function startRelay(hub: Hub): Promise<{ stop(): Promise<void> }> {
  let running = true;
  let wake: (() => void) | undefined;
  // A NOTIFY that arrives while a batch is being relayed must not wait for the next poll.
  let notified = false;
  const database = await databaseInstanceId(hub.sql);
  const onWake = () => {
    notified = true;
    wake?.();
  };
  // Woken by other processes' NOTIFY, and directly by this process's own writes.
  const listener = await hub.sql.listen(CHANNELS.outbox, onWake);
  const detach = hub.relayWake.attach(onWake);
  const lease = hub.config.HUB_RELAY_LEASE_SECONDS;
  // Rows whose lease ran out are looked for at the poll interval, not on every wake (store/outbox.ts).
  let leasesSweptAt = 0;

  const loop = (async () => {
    while (running) {
      let relayed = 0;
      let handedBack = 0;
      notified = false;
      try {
        const expiredLeases = Date.now() - leasesSweptAt >= POLL_MS;
        const rows = await takeDueForRelay(hub.sql, lease, BATCH, { expiredLeases });
        if (expiredLeases) leasesSweptAt = Date.now();
        if (rows.length > 0) {
          handedBack = await enqueue(hub, database, rows);
          hub.metrics.relayed.inc(rows.length - handedBack);
        }
        relayed = rows.length;
      } catch (error) {
        // Postgres or Redis away: the rows stay due (or come due again after the lease).
        hub.logger.warn({ err: (error as Error).message }, 'outbox relay failed; will retry');
      }
      // Rows handed back go out on the next pass, under their new ids, without waiting for a poll.
      if (relayed === BATCH || notified || handedBack > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();

  return {
    async stop() {
      running = false;
      detach();
      wake?.();
      await loop;
      await listener.unlisten().catch(() => {});
    },
  };
}

/** Adds one job per row; answers how many BullMQ kept an older job for instead (and hands back). */
async function enqueue(hub: Hub, database: string, rows: OutboxRow[]): Promise<number> {
  const jobs = await hub.deliveries.addBulk(
    rows.map((row) => ({
      name: row.kind,
      data: { outboxId: row.id, attempt: row.attempts, partnerId: row.partnerId } satisfies DeliveryJob,
      opts: { jobId: deliveryJobId(database, row.id, row.attempts, row.relays) },
    })),
  );
  const kept = await jobsKeptInstead(hub.redis, hub.deliveries, jobs);
  if (kept.length === 0) return 0;
  const outboxIds = kept.map((job) => (job.data as DeliveryJob).outboxId);
  hub.metrics.jobIdCollisions.inc(kept.length);
  hub.logger.warn(
    { jobIds: kept.map((job) => job.id), outboxIds, database, queuePrefix: hub.config.HUB_QUEUE_PREFIX },
    'Redis already held delivery jobs under these ids, so BullMQ kept the old jobs and did not queue ours: ' +
      'this database numbers its outbox as another one on the same Redis and queue prefix already did ' +
      '(a restored backup, a replica promoted while behind, or another hub using this database identity). ' +
      'Queueing these rows again under new ids; give each hub its own HUB_QUEUE_PREFIX if they share Redis',
  );
  await relayAgainNow(hub.sql, outboxIds);
  return kept.length;
}
