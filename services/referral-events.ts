import type { Hub } from './hub.js';
import { capabilitiesOf } from '../adapters/index.js';
import type { Caller } from '../domain/caller.js';
import { transaction, type Sql } from '../db/connect.js';
import { allowedEvents, ENGAGEMENT_EVENTS, PARTNER_STATUS_EVENTS, PLANNER_EVENTS, step, type PostableEvent, type WorkflowState } from '../domain/referral-workflow.js';
import { badRequest, conflict, forbidden } from '../lib/errors.js';
import type { EventInput } from '../schemas/referral.js';
import { appendAudit } from '../store/audit.js';
import { insertEvent } from '../store/events.js';
import { getOrganization } from '../store/organizations.js';
import { cancelPendingDeliveries, insertOutbox } from '../store/outbox.js';
import type { ReferralRow } from '../store/referrals.js';
import { unscoped } from '../store/unscoped.js';
import { moveReferral } from './referral-status.js';
import { referralForCaller } from './referrals.js';
import { recordReverseDisclosure, whatReferrerSees } from './referrer-sight.js';

export const PARTNER_EVENTS: readonly PostableEvent[] = [...PARTNER_STATUS_EVENTS, ...ENGAGEMENT_EVENTS];
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** POST /v1/referrals/{id}/events: validated against the state machine, stored, and announced. */
export async function postEvent(hub: Hub, caller: Caller, referralId: string, input: EventInput) {
  const { as } = await referralForCaller(hub, caller, referralId);
  const mayPost: readonly PostableEvent[] = as === 'partner' ? PARTNER_EVENTS : as === 'referrer' ? PLANNER_EVENTS : [];
  if (!mayPost.includes(input.type)) {
    throw forbidden(`the ${as === 'partner' ? 'partner' : as === 'referrer' ? 'referring organisation' : caller.role} may post only: ${mayPost.join(', ') || 'nothing'}`);
  }
  if (input.occurredAt && Date.parse(input.occurredAt) > hub.clock.now().getTime() + FUTURE_TOLERANCE_MS) {
    throw badRequest('occurredAt is in the future', [{ path: 'occurredAt', message: 'must not be in the future' }]);
  }

  return transaction(hub.sql, async (tx) => {
    // Row lock: two events racing for the same referral are applied one after the other.
    const referral = (await unscoped.referral(tx, referralId, { forUpdate: true }))!;
    return applyEvent(hub, tx, referral, { organizationId: caller.organizationId, clientId: caller.clientId }, input, mayPost);
  });
}

/**
 * Applies one event to a referral that `tx` holds locked (FOR UPDATE): checked against the state
 * machine for what `mayPost` allows, stored, and announced. The API (postEvent) and partner
 * status sync (FHIR Task polling, acting as the partner organisation) both go through here.
 */
export async function applyEvent(
  hub: Hub, tx: Sql, referral: ReferralRow, actor: { organizationId: string | null; clientId: string }, input: EventInput, mayPost: readonly PostableEvent[] = PARTNER_EVENTS,
) {
  const referralId = referral.id;
  const state: WorkflowState = referral;
  const next = step(state, input.type);
  if (!next) {
    if (mayPost === PARTNER_EVENTS) {
      throw conflict(`a ${input.type} event is not allowed while the referral is ${referral.status}`, { allowed: allowedEvents(state, mayPost) });
    }
    // The referrer is not told the status, and `allowed` names nothing its view would not allow:
    // the status may be one a Part 2 program reported and consent withholds (42 CFR 2.35).
    const seen = await whatReferrerSees(hub, referral, tx);
    const visible = allowedEvents({ status: seen.status, statusBeforeHold: null }, mayPost);
    throw conflict(`a ${input.type} event is not allowed now`, { allowed: allowedEvents(state, mayPost).filter((e) => visible.includes(e)) });
  }
  // The step has decided everything the writes need, so they are sent together (postgres.js
  // pipelines a transaction's queries, in order): one round trip instead of one per statement.
  const { status } = next;
  const [, event] = await Promise.all([
    moveReferral(tx, referral, input.type),
    insertEvent(tx, hub.keyring, {
      referralId, type: input.type, occurredAt: input.occurredAt, byOrgId: actor.organizationId, byClientId: actor.clientId,
      reason: input.reason, appointmentAt: input.appointmentAt, note: input.note, statusAfter: status,
    }, hub.clock.now()),
    input.type === 'cancelled' ? announceCancellation(hub, tx, referral) : undefined,
    appendAudit(tx, { actor: actor.clientId, action: 'referral.event', subject: referralId, detail: { type: input.type, status } }),
  ]);
  return { id: event.id, type: event.type, occurredAt: event.occurredAt, status };
}

/** A cancelled referral stops its pending delivery; a partner that already has it is told. */
async function announceCancellation(hub: Hub, tx: Parameters<typeof insertOutbox>[0], referral: ReferralRow) {
  await cancelPendingDeliveries(tx, referral.id, 'cancelled');
  if (!referral.deliveredAt) return;
  const partner = await getOrganization(tx, referral.partnerId);
  if (partner && capabilitiesOf(partner.adapter).pushes) await insertOutbox(tx, { referralId: referral.id, kind: 'cancel', partnerId: referral.partnerId });
}

/** GET /v1/referrals/{id}/timeline: the referring organisation's view, oldest first. */
export async function timeline(hub: Hub, caller: Caller, referralId: string) {
  const { as, referral } = await referralForCaller(hub, caller, referralId);
  if (as === 'partner') throw forbidden('the timeline belongs to the referring organisation');
  const sight = await whatReferrerSees(hub, referral);
  // Every note and Part 2 report shown is a disclosure of its own (HIPAA 164.528, 42 CFR 2.24).
  await recordReverseDisclosure(hub, referral, sight.timelineDisclosure);
  await appendAudit(hub.sql, { actor: caller.clientId, action: 'referral.timeline.read', subject: referralId });
  return sight.items;
}
