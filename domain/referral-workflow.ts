import type { ReferralStatus } from '../schemas/vocabulary.js';

/**
 * The referral state machine of API.md, kept as data in one place: the 409's `allowed` list,
 * the docs and the tests all read from it.
 */
export const STATUS_TRANSITIONS: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  awaiting_consent: ['queued', 'cancelled'],
  queued: ['delivered', 'delivery_failed', 'awaiting_consent', 'cancelled'],
  delivery_failed: ['queued', 'cancelled'],
  delivered: ['received', 'accepted', 'rejected', 'on_hold', 'cancelled'],
  received: ['accepted', 'rejected', 'on_hold', 'cancelled'],
  accepted: ['in_progress', 'completed', 'failed', 'on_hold', 'cancelled'],
  in_progress: ['completed', 'failed', 'on_hold', 'cancelled'],
  // on_hold goes back to the status it left; see nextStatus().
  on_hold: ['cancelled'],
  rejected: [],
  completed: [],
  failed: [],
  cancelled: [],
};

/** Statuses a referral may be put on hold from, and return to. */
export const HOLDABLE: readonly ReferralStatus[] = ['delivered', 'received', 'accepted', 'in_progress'];

export const PARTNER_STATUS_EVENTS = ['received', 'accepted', 'rejected', 'in_progress', 'on_hold', 'completed', 'failed', 'resumed'] as const;
export const ENGAGEMENT_EVENTS = ['intake_scheduled', 'attended', 'no_show', 'progress_note'] as const;
export const PLANNER_EVENTS = ['cancelled'] as const;
export const POSTABLE_EVENTS = [...PARTNER_STATUS_EVENTS, ...ENGAGEMENT_EVENTS, ...PLANNER_EVENTS] as const;
export type PostableEvent = (typeof POSTABLE_EVENTS)[number];

/** Engagement events are recorded on the timeline without leaving the machine's states. */
export const ENGAGEMENT_STATES: readonly ReferralStatus[] = ['accepted', 'in_progress', 'on_hold'];

export interface WorkflowState {
  status: ReferralStatus;
  statusBeforeHold: ReferralStatus | null;
}

export function canTransition(state: WorkflowState, to: ReferralStatus): boolean {
  if (state.status === 'on_hold' && to === state.statusBeforeHold) return true;
  if (to === 'on_hold') return HOLDABLE.includes(state.status);
  return STATUS_TRANSITIONS[state.status].includes(to);
}

/** The status an event leads to, or `undefined` when the machine does not allow it now. */
export function nextStatus(state: WorkflowState, event: PostableEvent): ReferralStatus | undefined {
  if ((ENGAGEMENT_EVENTS as readonly string[]).includes(event)) {
    return ENGAGEMENT_STATES.includes(state.status) ? state.status : undefined;
  }
  if (event === 'resumed') {
    return state.status === 'on_hold' && state.statusBeforeHold ? state.statusBeforeHold : undefined;
  }
  const target = event as ReferralStatus;
  return canTransition(state, target) ? target : undefined;
}

/** The events that would be accepted now, for the 409 body. */
export function allowedEvents(state: WorkflowState, posters: readonly PostableEvent[] = POSTABLE_EVENTS): PostableEvent[] {
  return posters.filter((event) => nextStatus(state, event) !== undefined);
}
