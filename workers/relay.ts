import type { Hub } from '../gateway/context.js';
import { takeDueForRelay } from '../store/outbox.js';
import { deliveryJobId } from './queues.js';

const POLL_MS = 500;
const BATCH = 500;

/**
 * Moves due outbox rows into BullMQ (DESIGN.md flow 2). Woken at once by the NOTIFY that every
 * outbox write sends, and polls as a fallback. A row it relayed whose job Redis lost is relayed
 * again when its lease runs out, under a new job id; duplicate jobs are harmless because a
 * delivery claims its outbox attempt in Postgres before doing anything.
 */
export async function startRelay(hub: Hub): Promise<{ stop(): Promise<void> }> {
  let running = true;
  let wake: (() => void) | undefined;
  // A NOTIFY that arrives while a batch is being relayed must not wait for the next poll.
  let notified = false;
  const listener = await hub.sql.listen('hub_outbox', () => {
    notified = true;
    wake?.();
  });
  const lease = hub.config.HUB_RELAY_LEASE_SECONDS;

  const loop = (async () => {
    while (running) {
      let relayed = 0;
      notified = false;
      try {
        const rows = await takeDueForRelay(hub.sql, lease, BATCH);
        if (rows.length > 0) {
          await hub.deliveries.addBulk(
            rows.map((row) => ({ name: row.kind, data: { outboxId: row.id, attempt: row.attempts, partnerId: row.partnerId }, opts: { jobId: deliveryJobId(row.id, row.attempts, row.relays) } })),
          );
          hub.metrics.relayed.inc(rows.length);
        }
        relayed = rows.length;
      } catch (error) {
        // Postgres or Redis away: the rows stay due (or come due again after the lease).
        hub.logger.warn({ err: (error as Error).message }, 'outbox relay failed; will retry');
      }
      if (relayed === BATCH || notified) continue;
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
      wake?.();
      await loop;
      await listener.unlisten().catch(() => {});
    },
  };
}
