import type { ReferralStatus } from '../schemas/vocabulary.js';

/**
 * What the indicators report counts of a referral, as milestones it reaches once: each is kept on
 * the referral as `<milestone>_at`, the hub's clock of the first timeline event that reached it
 * (migration 021). Recording an event sets them (store/events.ts); the report reads only them
 * (store/indicators.ts), never the timeline.
 */
export const MILESTONES = ['acknowledged', 'first_contact', 'connected', 'completed', 'rejected', 'sla_breached'] as const;
export type Milestone = (typeof MILESTONES)[number];

/** Events that acknowledge a delivered referral, and the partner's first contact with the participant. */
const ACKNOWLEDGING = ['received', 'accepted', 'rejected'];
const FIRST_CONTACT = ['intake_scheduled', 'attended'];
/** Standing in progress or completed is being connected; a referral connected and then put on hold still was. */
const CONNECTED: readonly ReferralStatus[] = ['in_progress', 'completed'];

/** The milestones one timeline event reaches: by its type and the status the referral stood in after it. */
export function reachedMilestones(type: string, statusAfter: ReferralStatus | string): Milestone[] {
  const reached: Milestone[] = [];
  if (ACKNOWLEDGING.includes(type)) reached.push('acknowledged');
  if (FIRST_CONTACT.includes(type)) reached.push('first_contact');
  if ((CONNECTED as readonly string[]).includes(statusAfter)) reached.push('connected');
  if (statusAfter === 'completed') reached.push('completed');
  if (statusAfter === 'rejected') reached.push('rejected');
  if (type === 'sla_breached') reached.push('sla_breached');
  return reached;
}
