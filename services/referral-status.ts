import type { Sql } from '../db/connect.js';
import { reachedMilestones } from '../domain/indicator-milestones.js';
import { step, type WorkflowEvent, type WorkflowState } from '../domain/referral-workflow.js';
import { recordQueuedDelivered, type TakenDelivery } from '../store/delivered.js';
import { setReferralStatus } from '../store/referrals.js';

/**
 * Every status change the hub makes, the partner's, the planner's and its own, goes through here:
 * one `step()` of the state machine, then the row. A step the machine does not allow is a bug in
 * the caller (the API answers 409 before it gets here), so it throws rather than writes.
 */
export async function moveReferral(
  tx: Sql,
  referral: { id: string } & WorkflowState,
  event: WorkflowEvent,
  extra: { deliveredAt?: Date; lastError?: string | null } = {},
): Promise<WorkflowState> {
  const next = step(referral, event);
  if (!next) throw new Error(`the state machine allows no ${event} from ${referral.status}`);
  if (next !== referral || extra.deliveredAt || extra.lastError !== undefined) {
    await setReferralStatus(tx, referral.id, next.status, { statusBeforeHold: next.statusBeforeHold, ...extra });
  }
  return next;
}

/**
 * Where the state machine takes a queued referral on delivery, worked out once. The one statement
 * below sets no indicator milestone, so should a delivery ever reach one (or the machine not allow
 * the step), this is undefined and the general path (store/events.ts) records every delivery.
 */
const QUEUED_STEP = step({ status: 'queued', statusBeforeHold: null }, 'delivered');
const DELIVERED_FROM_QUEUED = QUEUED_STEP && reachedMilestones('delivered', QUEUED_STEP.status).length === 0 ? QUEUED_STEP : undefined;

/**
 * A delivery the partner took, recorded in one statement if the referral still stands `queued`
 * (store/delivered.ts): the state machine's step from there, then the row. False when it no
 * longer stands there; then nothing was written, and the caller records the outcome under a lock.
 */
export async function deliverQueued(sql: Sql, delivery: Omit<TakenDelivery, 'next'>): Promise<boolean> {
  if (!DELIVERED_FROM_QUEUED) return false;
  return recordQueuedDelivered(sql, { ...delivery, next: DELIVERED_FROM_QUEUED });
}
