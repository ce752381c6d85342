import { sequenceAudit } from '../services/audit-sequencer.js';
import { verifyAudit } from '../services/disclosures.js';
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

/**
 * Walks the whole chain every `everyMs` and records the result, so the console can say when the
 * log was last verified in full without walking it on every view; a broken chain is also logged.
 */
export function startAuditVerifier(hub: Hub, everyMs = hub.config.HUB_AUDIT_VERIFY_SECONDS * 1000): { stop(): Promise<void> } {
  return runEvery(hub, 'audit verification', everyMs, async () => {
    const result = await verifyAudit(hub, 'worker');
    if (!result.valid) hub.logger.error({ firstBrokenAt: result.firstBrokenAt, entries: result.entries }, 'the audit chain is broken: an entry was changed or removed after it was written');
  });
}
