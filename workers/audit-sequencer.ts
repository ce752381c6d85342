import { sequenceAudit } from '../services/audit-sequencer.js';
import type { Hub } from '../services/hub.js';

const BATCH = 5000;

/**
 * The audit log's sequencer: every `everyMs`, chains the rows appended since the last run (one
 * sequencer at a time across processes: the database function takes a lock of its own). Its lag
 * is what GET /v1/audit/verify reports as `oldestUnsealedSeconds`.
 */
export function startAuditSequencer(hub: Hub, everyMs = 500): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const run = async () => {
    while ((await sequenceAudit(hub, BATCH)) === BATCH);
  };
  const timer = setInterval(() => {
    if (running) return;
    running = run()
      .catch((error: Error) => hub.logger.warn({ err: error.message }, 'audit sequencer failed; will retry'))
      .finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
