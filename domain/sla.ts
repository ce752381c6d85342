import type { Sla } from '../schemas/organization.js';
import type { ReferralStatus } from '../schemas/vocabulary.js';
import { HOLDABLE } from './referral-workflow.js';

/**
 * Service-level timers (issue 5, reliability 2), as data: which partner setting each timer reads,
 * in which unit, and which events stop it. The sweep (workers/sla-sweep.ts), the README and the
 * tests read from here.
 */

/** A partner's timers as configured by an admin (`Organization.sla`). */
export type SlaSettings = Sla;

export const SLA_KINDS = ['acknowledge', 'first_contact'] as const;
export type SlaKind = (typeof SLA_KINDS)[number];

export interface SlaTimer {
  kind: SlaKind;
  /** The field of `SlaSettings` that sets it. */
  setting: keyof SlaSettings;
  /** Seconds in one unit of that setting. Both timers start when the referral reaches the partner. */
  unitSeconds: number;
  unitName: string;
  /** Events that meet it, if the hub recorded one by the deadline. */
  metBy: readonly string[];
}

export const SLA_TIMERS: Readonly<Record<SlaKind, SlaTimer>> = {
  acknowledge: {
    kind: 'acknowledge', setting: 'acknowledgeWithinHours', unitSeconds: 3600, unitName: 'hour',
    metBy: ['received', 'accepted', 'rejected'],
  },
  first_contact: {
    kind: 'first_contact', setting: 'firstContactWithinDays', unitSeconds: 86_400, unitName: 'day',
    metBy: ['intake_scheduled', 'attended'],
  },
};

/**
 * Referrals whose timers still run: delivered and not finished (the statuses a referral may be put
 * on hold from, and on hold itself: one table, domain/referral-workflow.ts). A rejected, completed, failed or
 * cancelled referral is never flagged, whatever it missed on the way.
 */
export const SLA_OPEN_STATUSES: readonly ReferralStatus[] = [...HOLDABLE, 'on_hold'];

/** The `sla_breached` event's reason: which timer, its setting and the deadline. No case data. */
export function breachReason(kind: SlaKind, sla: SlaSettings, deadline: Date): string {
  const timer = SLA_TIMERS[kind];
  const value = sla[timer.setting]!;
  const unit = value === 1 ? timer.unitName : `${timer.unitName}s`;
  return `${kind} SLA breached: no ${timer.metBy.join(', ')} within ${value} ${unit} of delivery (deadline ${deadline.toISOString()})`;
}
