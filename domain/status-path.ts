import type { ReferralStatus } from '../schemas/vocabulary.js';
import { PARTNER_STATUS_EVENTS, step, type PostableEvent, type WorkflowState } from './referral-workflow.js';

/**
 * The shortest sequence of partner status events that takes a referral from `state` to `target`,
 * through the state machine of referral-workflow.ts (which stays the one rule). Used where a
 * partner's system reports where a referral stands rather than each step (a FHIR Task read by a
 * poll may have gone from `requested` to `in-progress` in between): `delivered → in_progress` is
 * `accepted, in_progress`; `on_hold (from accepted) → in_progress` is `resumed, in_progress`.
 *
 * `[]` when the referral is already there; `undefined` when the machine allows no way there.
 * Ties go to the order of PARTNER_STATUS_EVENTS, so the answer is deterministic.
 */
export function eventsToReach(state: WorkflowState, target: ReferralStatus, events: readonly PostableEvent[] = PARTNER_STATUS_EVENTS, maxSteps = 4): PostableEvent[] | undefined {
  if (state.status === target) return [];
  let frontier: { state: WorkflowState; path: PostableEvent[] }[] = [{ state, path: [] }];
  const seen = new Set([`${state.status}|${state.statusBeforeHold ?? ''}`]);
  for (let depth = 0; depth < maxSteps && frontier.length > 0; depth++) {
    const next: typeof frontier = [];
    for (const { state: s, path } of frontier) {
      for (const event of events) {
        // step() keeps the hold bookkeeping (what on_hold returns to), as for a real event.
        const after = step(s, event);
        if (!after || after.status === s.status) continue;
        if (after.status === target) return [...path, event];
        const key = `${after.status}|${after.statusBeforeHold ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        next.push({ state: after, path: [...path, event] });
      }
    }
    frontier = next;
  }
  return undefined;
}
