import type { Hub } from './hub.js';
import type { Caller } from '../domain/caller.js';
import { transaction, type Sql } from '../db/connect.js';
import { consentWarnings, irrevocabilityProblems, revocationRefusal, signatureProblems } from '../consent/index.js';
import { newId } from '../lib/ids.js';
import { conflict, unprocessable } from '../lib/errors.js';
import type { ConsentInput } from '../schemas/consent.js';
import { appendAudit } from '../store/audit.js';
import { insertConsent, revokeConsent, type ConsentRecord } from '../store/consents.js';
import { insertEvent } from '../store/events.js';
import { getOrganization } from '../store/organizations.js';
import { cancelPendingDeliveries, deliveryMessageId, insertOutbox } from '../store/outbox.js';
import { lockUndeliveredReferralsOf, type ReferralRow } from '../store/referrals.js';
import { scopedTo } from '../store/scoped.js';
import { unscoped } from '../store/unscoped.js';
import { moveReferral } from './referral-status.js';
import type { DataKeyring } from '../crypto/data-keys.js';
import { decideFor } from './decisions.js';

/**
 * `statusOverride`: an imported FHIR Consent whose status is not `active` is recorded as
 * `expired` (it permits nothing, but belongs in the record).
 */
export async function createConsent(hub: Hub, caller: Caller, input: ConsentInput, statusOverride?: 'expired') {
  // A compliance officer manages the consents of its own organisation's participants.
  const participant = await scopedTo(hub.sql, hub.keyring, caller).participantRef(input.participantId, 'participantId');
  const now = hub.clock.now();
  const problems = [...signatureProblems(input, { birthDate: participant.birthDate, at: now, provision: input.provision }), ...irrevocabilityProblems(input)];
  if (problems.length > 0) throw unprocessable(`the ${input.basis} cannot be recorded: ${problems.map((p) => p.message).join('; ')}`, problems);
  const expired = statusOverride === 'expired' || (input.period.end !== undefined && Date.parse(input.period.end) <= now.getTime());
  const created = await transaction(hub.sql, async (tx) => {
    const consent = await insertConsent(
      tx,
      hub.keyring,
      { id: newId('con'), participantId: participant.id, basis: input.basis, status: expired ? 'expired' : 'active', period: input.period,
        signatures: input.signatures, documentRef: input.documentRef, provision: input.provision, irrevocable: input.irrevocable },
      caller.clientId,
    );
    // The participant's undelivered referrals are locked in one order (oldest first) by every
    // writer that reconciles them, so two consent changes cannot deadlock.
    await reconcileReferrals(tx, hub.keyring, participant.id, caller.clientId, now);
    await appendAudit(tx, { actor: caller.clientId, action: 'consent.created', subject: consent.id, detail: { participantId: participant.id, basis: input.basis } });
    return { ...consent, warnings: consentWarnings(input.provision, input.period) };
  });
  // This process's own cache, at once: the change governs every decision after this returns.
  hub.bases.invalidate(participant.id);
  return created;
}

export async function getOwnConsent(hub: Hub, caller: Caller, id: string): Promise<ConsentRecord> {
  return scopedTo(hub.sql, hub.keyring, caller).consent(id);
}

/** GET /v1/consents?participantId=: the consents of one of the caller's participants. */
export async function listOwnConsents(hub: Hub, caller: Caller, participantId: string): Promise<ConsentRecord[]> {
  return scopedTo(hub.sql, hub.keyring, caller).consentsOf(participantId, 'participantId');
}

export async function revoke(hub: Hub, caller: Caller, id: string, reason: string) {
  const existing = await getOwnConsent(hub, caller, id);
  // The same words the console shows before anyone tries (consent/revocation.ts).
  const refusal = revocationRefusal(existing, hub.clock.now());
  if (refusal) throw conflict(refusal.message, { allowed: [] });
  const result = await transaction(hub.sql, async (tx) => {
    const revoked = await revokeConsent(tx, hub.keyring, id, reason);
    if (!revoked) throw conflict('this consent is already revoked', { allowed: [] });
    // Revocation takes effect for deliveries already queued: they go back to awaiting_consent.
    await reconcileReferrals(tx, hub.keyring, revoked.participantId, caller.clientId, hub.clock.now());
    await appendAudit(tx, { actor: caller.clientId, action: 'consent.revoked', subject: id, detail: { participantId: revoked.participantId } });
    return revoked;
  });
  hub.bases.invalidate(result.participantId);
  return result;
}

/**
 * After a consent change, brings the participant's undelivered referrals in line with what is now
 * permitted (docs/architecture.md, flow 5): released when a basis appears, held back when it goes. Runs in the
 * consent change's transaction, so the change and its effects commit together. `at` is the
 * hub's clock at the change (or the sweep), the instant every referral is decided at.
 */
export async function reconcileReferrals(tx: Sql, keyring: DataKeyring, participantId: string, actor: string, at: Date): Promise<void> {
  const referrals = await lockUndeliveredReferralsOf(tx, [participantId]);
  if (referrals.length === 0) return;
  const participant = (await unscoped.participantRef(tx, participantId))!;
  for (const id of referrals) {
    const referral = (await unscoped.referral(tx, id))!;
    const partner = (await getOrganization(tx, referral.partnerId))!;
    const permitted = (await decideFor(tx, participant, partner, referral.purpose, at)).permitted.includes('identity');
    if (referral.status === 'awaiting_consent' && permitted) {
      await moveReferral(tx, referral, 'released');
      await insertEvent(tx, keyring, { referralId: id, type: 'queued', byOrgId: null, statusAfter: 'queued', reason: 'a consent now permits delivery' }, at);
      await insertOutbox(tx, { referralId: id, kind: 'deliver', partnerId: partner.id, messageId: await deliveryMessageId(tx, id) });
      await appendAudit(tx, { actor, action: 'referral.released', subject: id });
    } else if (referral.status === 'queued' && !permitted) {
      await holdForConsent(tx, keyring, referral, 'consent no longer permits the partner to see the participant’s identity', at);
    }
  }
}

/** A queued referral whose basis went away waits again, and its pending delivery stops. */
export async function holdForConsent(tx: Sql, keyring: DataKeyring, referral: ReferralRow, reason: string, at: Date): Promise<void> {
  await cancelPendingDeliveries(tx, referral.id, 'withheld');
  await moveReferral(tx, referral, 'held_for_consent');
  await insertEvent(tx, keyring, { referralId: referral.id, type: 'awaiting_consent', byOrgId: null, statusAfter: 'awaiting_consent', reason }, at);
}
