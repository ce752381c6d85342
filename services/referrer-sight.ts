import { needsReverseDecision, referrerSight, type ReferrerSight } from '../consent/index.js';
import type { Sql } from '../db/connect.js';
import type { Hub } from './hub.js';
import { newId } from '../lib/ids.js';
import { recordDisclosure } from '../store/disclosures.js';
import { listEvents } from '../store/events.js';
import { getOrganization } from '../store/organizations.js';
import { unscoped } from '../store/unscoped.js';
import type { ReferralRow } from '../store/referrals.js';
import { decideFor } from './decisions.js';

/**
 * What the referring organisation may see of a referral, decided now: the one function that the
 * timeline, the referral read and list (and its status filter), the 409s a referrer gets, the SLA
 * sweep and every webhook to the referrer call. The rule itself is `referrerSight` in consent/;
 * this loads what it needs and takes the reverse decision (the referrer as recipient, the partner
 * as `source`, the referral's purpose) only when something depends on it.
 *
 * `sql` is the caller's transaction when it has one, so the events it just wrote are seen.
 */
export async function whatReferrerSees(
  hub: Pick<Hub, 'sql' | 'keyring' | 'bases' | 'clock'>, referral: ReferralRow, sql: Sql = hub.sql, at = hub.clock.now(),
): Promise<ReferrerSight> {
  const [events, partner] = await Promise.all([listEvents(sql, hub.keyring, referral.id), getOrganization(sql, referral.partnerId)]);
  const ref = { id: referral.partnerId, part2Program: Boolean(partner?.part2Program) };
  let decision = null;
  if (partner && needsReverseDecision(events, ref)) {
    const [participant, referrer] = await Promise.all([unscoped.participantRef(sql, referral.participantId), getOrganization(sql, referral.referrerOrgId)]);
    if (participant && referrer) decision = await decideFor(hub.bases, participant, referrer, referral.purpose, at, partner);
  }
  return referrerSight(events, referral.status, ref, decision);
}

/**
 * Records what the referrer was just shown of a partner's reports, when it was anything that
 * needed a basis (a note, a Part 2 program's report): the accounting's `status` channel.
 */
export async function recordReverseDisclosure(
  hub: Pick<Hub, 'sql' | 'metrics'>,
  referral: ReferralRow,
  shown: ReferrerSight['timelineDisclosure'],
): Promise<void> {
  if (shown.categories.length === 0) return;
  await recordDisclosure(hub.sql, {
    id: newId('dis'), participantId: referral.participantId, recipientOrganizationId: referral.referrerOrgId, referralId: referral.id,
    categories: shown.categories, purpose: referral.purpose, basisIds: shown.basisIds, channel: 'status',
  });
  hub.metrics.disclosures.inc({ channel: 'status' });
}
