import { adapterFor } from './deliveries.js';
import type { Hub } from './hub.js';
import { applyStatusReport } from './partner-status.js';
import { pollCursor, recordPoll } from '../store/fhir-sync.js';
import { getOrganization } from '../store/organizations.js';

/** One poll: read the partner's changed Tasks, apply each version once, then move the cursor. */
export async function processStatusPoll(hub: Hub, partnerId: string): Promise<{ read: number; applied: number; error?: string }> {
  const partner = await getOrganization(hub.sql, partnerId);
  if (!partner || partner.adapter.type !== 'fhir') return { read: 0, applied: 0 };
  const adapter = await adapterFor(hub, partner);
  if (!adapter.fetchStatusChanges) return { read: 0, applied: 0 };

  const fetched = await adapter.fetchStatusChanges(await pollCursor(hub.sql, partnerId));
  if (fetched.outcome === 'error') {
    hub.logger.warn({ partnerId, err: fetched.error }, 'FHIR status poll failed; the next one retries');
    await recordPoll(hub.sql, partnerId, { error: fetched.error });
    return { read: 0, applied: 0, error: fetched.error };
  }
  let applied = 0;
  // The cursor stops at the oldest Task whose delivery the hub has not recorded yet, so that Task
  // is read again (and applied) once the retry or replay records it.
  let holdAt: string | undefined;
  for (const report of fetched.reports) {
    const result = await applyStatusReport(hub, partner, report);
    if (result.outcome === 'applied') applied += 1;
    if (result.outcome === 'not_delivered_yet') holdAt ??= report.changedAt;
    if (result.outcome === 'not_allowed') {
      hub.logger.warn({ partnerId, referralId: report.referralId, source: report.source }, 'partner status does not fit the referral state machine; ignored');
    }
  }
  // Only now: a poll that dies halfway reads the same Tasks again, and the versions make that harmless.
  await recordPoll(hub.sql, partnerId, { cursor: holdAt ?? fetched.cursor, error: null });
  return { read: fetched.reports.length, applied };
}
