import { sequenceAudit } from '../services/audit-sequencer.js';
import type { Hub } from '../services/hub.js';
import { runEvery } from './every.js';

const BATCH = 5000;

/**
 * The audit log's sequencer: every `everyMs`, chains the rows appended since the last run, in
 * full batches until it has caught up (one sequencer at a time across processes: the database
 * function takes a lock of its own). Its lag is what GET /v1/audit/verify reports as
 * `oldestUnsealedSeconds`.
 */
export function startAuditSequencer(hub: Hub, everyMs = 500): { stop(): Promise<void> } {
  return runEvery(hub, 'audit sequencer', everyMs, async () => {
    while ((await sequenceAudit(hub, BATCH)) === BATCH);
  });
}
