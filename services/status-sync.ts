import { capabilitiesOf, noticeTokenMatches } from '../adapters/index.js';
import { unauthorized } from '../lib/errors.js';
import { requestPoll } from '../lib/queues.js';
import { adapterFor } from './deliveries.js';
import type { Hub } from './hub.js';
import { applyStatusReport } from './partner-status.js';
import { pollCursor, recordPoll } from '../store/fhir-sync.js';
import { adapterSecrets, getOrganization } from '../store/organizations.js';

/**
 * A partner's notice that something changed on its system (a FHIR rest-hook, `POST
 * /fhir/notify/{id}`): with the partner's notice token, a poll of that partner is requested at
 * once. The notice's content is never read, so it can make a poll happen sooner but never change
 * what is applied. One answer for "no such partner", "a kind that takes no notices" and "wrong
 * token": partner ids are not confirmed to strangers.
 */
export async function acceptStatusNotice(hub: Hub, partnerId: string, token: string | undefined): Promise<void> {
  const refuse = () => unauthorized('a valid notify token for this partner is required');
  if (!token) throw refuse();
  const partner = await getOrganization(hub.sql, partnerId);
  if (!partner || !capabilitiesOf(partner.adapter).takesNotices) throw refuse();
  if (!noticeTokenMatches(partner.adapter, await adapterSecrets(hub.keyring, partner), token)) throw refuse();
  await requestPoll(hub.statusPolls, hub.redis, hub.config.HUB_QUEUE_PREFIX, partner.id);
}

/** One poll: read the partner's changed Tasks, apply each version once, then move the cursor. */
export async function processStatusPoll(hub: Hub, partnerId: string): Promise<{ read: number; applied: number; error?: string }> {
  const partner = await getOrganization(hub.sql, partnerId);
  if (!partner || !capabilitiesOf(partner.adapter).polls) return { read: 0, applied: 0 };
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
