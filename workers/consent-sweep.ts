import { transaction } from '../db/connect.js';
import type { Hub } from '../services/hub.js';
import { appendAudit } from '../store/audit.js';
import { notifyConsentChange } from '../store/consents.js';
import { reconcileReferrals } from '../services/consents.js';

const SWEEP_LOCK = 7262002;

/**
 * Consents change with time as well as with requests: a period ends, a provision's period begins.
 * The sweep marks ended consents `expired` and brings the affected referrals in line (held
 * ones released, queued ones held back). One sweeper at a time, whichever process gets the lock.
 */
export async function sweepConsents(hub: Hub): Promise<{ expired: number; participants: number }> {
  return transaction(hub.sql, async (tx) => {
    const [lock] = await tx<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK}) AS locked`;
    if (!lock?.locked) return { expired: 0, participants: 0 };
    const expired = await tx<{ id: string; participant_id: string }[]>`UPDATE consents SET status = 'expired'
      WHERE status = 'active' AND period_end IS NOT NULL AND period_end <= now() RETURNING id, participant_id`;
    // Referrals waiting for consent may be released by a provision whose period has just begun.
    const waiting = await tx<{ participant_id: string }[]>`SELECT DISTINCT participant_id FROM referrals WHERE status = 'awaiting_consent'`;
    const participants = [...new Set([...expired.map((c) => c.participant_id), ...waiting.map((r) => r.participant_id)])];
    // Every referral row this sweep may change is locked before the first audit entry takes the
    // audit chain's lock (and in the order reconcileReferrals uses), so no writer can deadlock it.
    await tx`SELECT id FROM referrals WHERE participant_id = ANY(${participants}) AND status IN ('awaiting_consent', 'queued')
      ORDER BY created_at, id FOR UPDATE`;
    for (const participantId of participants) await reconcileReferrals(tx, hub.keyring, participantId, 'hub');
    for (const consent of expired) {
      await appendAudit(tx, { actor: 'hub', action: 'consent.expired', subject: consent.id, detail: { participantId: consent.participant_id } });
      await notifyConsentChange(tx, consent.participant_id);
    }
    return { expired: expired.length, participants: participants.length };
  });
}

export function startConsentSweep(hub: Hub, everyMs = 5000): { stop(): void } {
  const timer = setInterval(() => {
    sweepConsents(hub).catch((error: Error) => hub.logger.warn({ err: error.message }, 'consent sweep failed; will retry'));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
