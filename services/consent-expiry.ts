import { transaction } from '../db/connect.js';
import { appendAudit } from '../store/audit.js';
import { expireEndedConsents, notifyConsentChange } from '../store/consents.js';
import { SWEEP_LOCKS, trySweepLock } from '../store/locks.js';
import { lockUndeliveredReferralsOf, participantsAwaitingConsent } from '../store/referrals.js';
import { reconcileReferrals } from './consents.js';
import type { Hub } from './hub.js';

const SWEEP_LOCK = SWEEP_LOCKS.consentExpiry;

/**
 * Consents change with time as well as with requests: a period ends, a provision's period begins.
 * The sweep marks ended consents `expired` and brings the affected referrals in line (held
 * ones released, queued ones held back). One sweeper at a time, whichever process gets the lock.
 */
export async function sweepConsents(hub: Hub): Promise<{ expired: number; participants: number }> {
  return transaction(hub.sql, async (tx) => {
    if (!(await trySweepLock(tx, SWEEP_LOCK))) return { expired: 0, participants: 0 };
    // One instant for the whole sweep: the consents it expires and the decisions it reconciles agree.
    const at = hub.clock.now();
    const expired = await expireEndedConsents(tx, at);
    // Referrals waiting for consent may be released by a provision whose period has just begun.
    const waiting = await participantsAwaitingConsent(tx);
    const participants = [...new Set([...expired.map((c) => c.participantId), ...waiting])];
    // Every referral row this sweep may change is locked first, in the order reconcileReferrals and
    // every consent change use, so two of them cannot deadlock over the same referrals.
    await lockUndeliveredReferralsOf(tx, participants);
    for (const participantId of participants) await reconcileReferrals(tx, hub.keyring, participantId, 'hub', at);
    for (const consent of expired) {
      await appendAudit(tx, { actor: 'hub', action: 'consent.expired', subject: consent.id, detail: { participantId: consent.participantId } });
      await notifyConsentChange(tx, consent.participantId);
    }
    return { expired: expired.length, participants: participants.length };
  });
}
