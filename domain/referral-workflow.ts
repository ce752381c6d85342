import { ENGAGEMENT_EVENTS, POSTABLE_EVENTS, type PostableEvent, type ReferralStatus } from '../schemas/vocabulary.js';

/**
 * The referral state machine, kept as data in one place: every status change the hub makes goes
 * through `step()` below, and the 409's `allowed` list, the docs and the tests all read from it.
 */
export const STATUS_TRANSITIONS: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  // → delivered: a send already in flight when a revocation put the referral back to wait was
  // taken by the partner; the record must say the partner has it (its reads show only what
  // consent now permits).
  awaiting_consent: ['queued', 'delivered', 'cancelled'],
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

// The event names are vocabulary (the wire enum is built from them); the machine here gives them meaning.
export { PARTNER_STATUS_EVENTS, ENGAGEMENT_EVENTS, PLANNER_EVENTS, POSTABLE_EVENTS } from '../schemas/vocabulary.js';
export type { PostableEvent } from '../schemas/vocabulary.js';

/**
 * What the hub itself does to a referral, each named for its cause: a basis appears (`released`)
 * or goes away (`held_for_consent`), the partner took the delivery (`delivered`) or the last
 * attempt failed (`delivery_failed`), a planner or admin re-queues a failed one (`replayed`).
 */
export const HUB_EVENTS = ['released', 'held_for_consent', 'delivered', 'delivery_failed', 'replayed'] as const;
export type HubEvent = (typeof HUB_EVENTS)[number];
export type WorkflowEvent = PostableEvent | HubEvent;

/** Each hub event's target, and the statuses it may start from (a subset of the table's edges). */
const HUB_EVENT_RULES: Readonly<Record<HubEvent, { from: readonly ReferralStatus[]; to: ReferralStatus }>> = {
  released: { from: ['awaiting_consent'], to: 'queued' },
  held_for_consent: { from: ['queued'], to: 'awaiting_consent' },
  delivered: { from: ['queued', 'awaiting_consent'], to: 'delivered' },
  delivery_failed: { from: ['queued'], to: 'delivery_failed' },
  replayed: { from: ['delivery_failed'], to: 'queued' },
};

/** Engagement events are recorded on the timeline without leaving the machine's states. */
export const ENGAGEMENT_STATES: readonly ReferralStatus[] = ['accepted', 'in_progress', 'on_hold'];

export interface WorkflowState {
  status: ReferralStatus;
  statusBeforeHold: ReferralStatus | null;
}

/**
 * Where the work stands, a hold aside: the status `on_hold` returns to, or the status itself.
 * (A partner that stops the work was past acceptance or not, whether or not it was on hold.)
 */
export function standing(state: WorkflowState): ReferralStatus | null {
  return state.status === 'on_hold' ? state.statusBeforeHold : state.status;
}

export function canTransition(state: WorkflowState, to: ReferralStatus): boolean {
  if (state.status === 'on_hold' && to === state.statusBeforeHold) return true;
  if (to === 'on_hold') return HOLDABLE.includes(state.status);
  return STATUS_TRANSITIONS[state.status].includes(to);
}

/**
 * The one step of the machine: the state an event leads to, or `undefined` when the machine does
 * not allow it now. `statusBeforeHold` is what `on_hold` returns to.
 */
export function step(state: WorkflowState, event: WorkflowEvent): WorkflowState | undefined {
  const status = (HUB_EVENTS as readonly string[]).includes(event) ? hubTarget(state, event as HubEvent) : nextStatus(state, event as PostableEvent);
  if (status === undefined) return undefined;
  if (status === state.status) return state;
  return { status, statusBeforeHold: status === 'on_hold' ? state.status : null };
}

function hubTarget(state: WorkflowState, event: HubEvent): ReferralStatus | undefined {
  const rule = HUB_EVENT_RULES[event];
  return rule.from.includes(state.status) && canTransition(state, rule.to) ? rule.to : undefined;
}

/** The status a postable event leads to, or `undefined` when the machine does not allow it now. */
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
