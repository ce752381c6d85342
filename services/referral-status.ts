import type { Sql } from '../db/connect.js';
import { step, type WorkflowEvent, type WorkflowState } from '../domain/referral-workflow.js';
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
