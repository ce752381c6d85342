import type { Hub } from './hub.js';
import type { Caller } from '../domain/caller.js';
import { transaction } from '../db/connect.js';
import { newId } from '../lib/ids.js';
import { conflict, notFound, unprocessable } from '../lib/errors.js';
import type { ReferralInput, ReferralListQuery } from '../schemas/referral.js';
import { appendAudit } from '../store/audit.js';
import { insertEvent } from '../store/events.js';
import { claimIdempotencyKey, findIdempotent, purgeExpiredKey, requestHash, storeIdempotentResponse } from '../store/idempotency.js';
import { deliveryMessageId, insertOutbox } from '../store/outbox.js';
import { listReferrals, loadCaseFile, openCaseFile, type CaseFileEntryRow, type ReferralRow } from '../store/referrals.js';
import { prepareIntake, writeIntake } from '../store/intake.js';
import { page } from '../lib/cursor.js';
import { scopedTo, type ReferralStanding } from '../store/scoped.js';
import { unscoped } from '../store/unscoped.js';
import { moveReferral } from './referral-status.js';
import { recordDisclosureAudited } from '../store/disclosures.js';
import type { ParticipantRef } from '../store/participants.js';
import { decideFor, partnerViewOf, previewPartnerView } from './decisions.js';
import { recordReverseDisclosure, whatReferrerSees } from './referrer-sight.js';

export const createdView = (r: ReferralRow) => ({
  id: r.id, status: r.status, participantId: r.participantId, partnerId: r.partnerId, service: r.service, purpose: r.purpose, priority: r.priority, createdAt: r.createdAt,
});

/**
 * POST /v1/referrals: one statement writes the referral, its encrypted case file, the first
 * timeline event, the outbox row and the audit entry (docs/architecture.md, flow 1), everything
 * encrypted before it runs. Nothing is enqueued here. With an Idempotency-Key, the key's claim and
 * the stored answer share a transaction with that statement.
 */
export async function createReferral(hub: Hub, caller: Caller & { organizationId: string }, input: ReferralInput, idempotencyKey?: string) {
  const participant = await scopedTo(hub.sql, hub.keyring, caller).participantRef(input.participantId, 'participantId');
  const partner = await hub.organizations.get(input.partnerId);
  if (!partner) throw notFound('partner organization', 'partnerId');

  // Decided now only to choose the first status; the worker decides again at send time.
  const now = hub.clock.now();
  const decision = await decideFor(hub.bases, participant, partner, input.purpose, now);
  const status = decision.permitted.includes('identity') ? 'queued' : 'awaiting_consent';
  const prepared = prepareIntake(hub.keyring, {
    id: newId('ref'), participantId: participant.id, referrerOrgId: caller.organizationId, partnerId: partner.id, service: input.service,
    purpose: input.purpose, priority: input.priority, status, reason: input.reason, createdBy: caller.clientId,
    waitingReason: status === 'queued' ? null : 'no basis yet lets the partner see the participant’s identity', at: now,
  }, input.caseFile);

  if (!idempotencyKey) {
    const body = createdView(await writeIntake(hub.sql, prepared));
    if (status === 'queued') hub.relayWake.wake();
    return { status: 201 as const, body, replayed: false };
  }
  const hash = requestHash(input);
  const result = await transaction(hub.sql, async (tx) => {
    await purgeExpiredKey(tx, caller.clientId, idempotencyKey);
    if (!(await claimIdempotencyKey(tx, caller.clientId, idempotencyKey, hash))) {
      const earlier = await findIdempotent(tx, caller.clientId, idempotencyKey, hash);
      if (earlier.kind === 'mismatch') {
        throw unprocessable('this Idempotency-Key was used with a different request body', [{ path: 'Idempotency-Key', message: 'reused with another body' }]);
      }
      if (earlier.kind === 'replay') return { status: earlier.status as 201, body: earlier.body as ReturnType<typeof createdView>, replayed: true };
      throw conflict('a request with this Idempotency-Key is still in flight');
    }
    const body = createdView(await writeIntake(tx, prepared));
    await storeIdempotentResponse(tx, caller.clientId, idempotencyKey, 201, body);
    return { status: 201 as const, body, replayed: false };
  });
  if (!result.replayed && status === 'queued') hub.relayWake.wake();
  return result;
}

/**
 * What the partner would see of `input` if it were sent now: the planner's preview before
 * `createReferral`. The same scope checks (the caller's participant, a known partner), and the
 * same decision and projection as the delivery (services/decisions.ts), on the unsaved input.
 * Nothing leaves the hub, so nothing is a disclosure; the preview is audited (ids and
 * categories, never content). The delivery decides again when it sends.
 */
export async function previewReferral(hub: Hub, caller: Caller & { organizationId: string }, input: ReferralInput) {
  const participant = await scopedTo(hub.sql, hub.keyring, caller).participantRef(input.participantId, 'participantId');
  const partner = await hub.organizations.get(input.partnerId);
  if (!partner) throw notFound('partner organization', 'partnerId');
  const at = hub.clock.now();
  const header = { id: 'ref_preview', status: 'delivered' as const, service: input.service, purpose: input.purpose, priority: input.priority, createdAt: at.toISOString() };
  const preview = await previewPartnerView(hub, header, { caseFile: input.caseFile, reason: input.reason }, participant, partner, at);
  await appendAudit(hub.sql, {
    actor: caller.clientId, action: 'referral.previewed', subject: participant.id,
    detail: { partnerId: partner.id, purpose: input.purpose, categories: preview.projected.categories },
  });
  return { partner: { id: partner.id, name: partner.name }, view: preview.view, pieces: preview.pieces, deliverable: preview.decision.permitted.includes('identity') };
}

/** Who may see a referral, and as what (store/scoped.ts). Anyone else gets 404, never 403. */
export async function referralForCaller(hub: Pick<Hub, 'sql' | 'keyring'>, caller: Caller, id: string): Promise<{ referral: ReferralRow; as: ReferralStanding }> {
  return scopedTo(hub.sql, hub.keyring, caller).referral(id);
}

/**
 * The referring organisation's view: its own case file, and the status its reverse decision lets
 * it see. A Part 2 program's reported status shown here is a disclosure, and recorded as one.
 */
export async function referrerView(hub: Hub, referral: ReferralRow, caseFileEntries?: readonly CaseFileEntryRow[]) {
  const sight = await whatReferrerSees(hub, referral);
  await recordReverseDisclosure(hub, referral, sight.statusDisclosure);
  return {
    ...createdView(referral),
    status: sight.status,
    reason: await hub.keyring.decrypt<string>(referral.reasonJwe),
    updatedAt: referral.updatedAt,
    deliveredAt: referral.deliveredAt,
    lastError: referral.lastError,
    withheldEvents: sight.withheldEvents,
    caseFile: caseFileEntries ? await openCaseFile(hub.keyring, caseFileEntries) : await loadCaseFile(hub.sql, hub.keyring, referral.id),
  };
}

/** A partner's read: decided and projected at read time, and recorded as a disclosure. */
export async function partnerRead(hub: Hub, caller: Caller, referral: ReferralRow, loaded?: { participant: ParticipantRef; caseFileEntries: CaseFileEntryRow[] | undefined }) {
  // Reached through the caller's scope (the referral), so the participant is the referral's own.
  const participant = loaded?.participant ?? (await unscoped.participantRef(hub.sql, referral.participantId))!;
  const partner = (await hub.organizations.get(referral.partnerId))!;
  const { projected, view } = await partnerViewOf(hub, referral, participant, partner, undefined, loaded?.caseFileEntries);
  // The disclosure and the read's audit entry in one statement: neither without the other.
  await recordDisclosureAudited(
    hub.sql,
    {
      id: newId('dis'), participantId: participant.id, recipientOrganizationId: partner.id, referralId: referral.id,
      categories: projected.categories, purpose: referral.purpose, basisIds: projected.basisIds, channel: 'read',
    },
    { actor: caller.clientId, action: 'referral.read', subject: referral.id, detail: { categories: projected.categories } },
  );
  hub.metrics.disclosures.inc({ channel: 'read' });
  return view;
}

/** POST /v1/referrals/{id}/replay: a delivery_failed referral goes back to the queue, same webhook-id. */
export async function replayReferral(hub: Hub, caller: Caller, id: string) {
  await referralForCaller(hub, caller, id);
  return transaction(hub.sql, async (tx) => {
    const referral = (await unscoped.referral(tx, id, { forUpdate: true }))!;
    if (referral.status !== 'delivery_failed') {
      // Not naming the status: it may be one a Part 2 program reported and consent withholds.
      throw conflict('only a delivery_failed referral can be replayed', { allowed: [] });
    }
    await moveReferral(tx, referral, 'replayed', { lastError: null });
    await insertEvent(tx, hub.keyring, { referralId: id, type: 'queued', byOrgId: caller.organizationId, byClientId: caller.clientId, statusAfter: 'queued', reason: 'replayed' }, hub.clock.now());
    await insertOutbox(tx, { referralId: id, kind: 'deliver', partnerId: referral.partnerId, messageId: await deliveryMessageId(tx, id) });
    await appendAudit(tx, { actor: caller.clientId, action: 'referral.replayed', subject: id });
    return (await unscoped.referral(tx, id))!;
  });
}

/** GET /v1/referrals/{id}: the partner's projection (recorded) or the referrer's view (audited). */
export async function readReferral(hub: Hub, caller: Caller, id: string) {
  // The participant, the encrypted case file and (for a partner) the bases come with the
  // referral: three round trips fewer. The bases prime the cache the decision then reads, unless
  // a consent change was heard meanwhile.
  const { referral, participant, caseFileEntries, as } = await hub.bases.loadKeyedBy(
    () => scopedTo(hub.sql, hub.keyring, caller).referralForRead(id),
    (found) => (found.bases ? [found.participant.id, found.bases] : undefined),
  );
  if (as === 'partner') return partnerRead(hub, caller, referral, { participant, caseFileEntries });
  const view = await referrerView(hub, referral, caseFileEntries);
  await appendAudit(hub.sql, { actor: caller.clientId, action: 'referral.read', subject: referral.id, detail: { as } });
  return view;
}

/** GET /v1/referrals: what the caller may see, newest first, with the same projections as a single read. */
export async function listReferralsFor(hub: Hub, caller: Caller & { organizationId: string }, query: ReferralListQuery) {
  const { limit, cursor, status, partnerId, participantId } = query;
  if (caller.role === 'partner') {
    if (partnerId && partnerId !== caller.organizationId) return { items: [], nextCursor: null };
    const result = page(await listReferrals(hub.sql, { partnerOrgId: caller.organizationId, status, participantId }, limit, cursor), limit, (r) => r);
    // Each one recorded as a disclosure, as a single read is.
    const items = [];
    for (const referral of result.items) items.push(await partnerRead(hub, caller, referral));
    return { items, nextCursor: result.nextCursor };
  }
  const result = page(await listReferrals(hub.sql, { referrerOrgId: caller.organizationId, status, partnerId, participantId }, limit, cursor), limit, (r) => r);
  if (result.items.length > 0) await appendAudit(hub.sql, { actor: caller.clientId, action: 'referrals.listed', detail: { ids: result.items.map((r) => r.id) } });
  const items = [];
  for (const referral of result.items) {
    const view = await referrerView(hub, referral);
    // Filtered on the status the referrer sees (whatReferrerSees), so the filter cannot reveal a withheld one.
    if (!status || view.status === status) items.push(view);
  }
  return { items, nextCursor: result.nextCursor };
}
