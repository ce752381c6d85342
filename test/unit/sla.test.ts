import { describe, expect, it } from 'vitest';
import { SLA_OPEN_STATUSES, SLA_TIMERS, breachReason } from '../../domain/sla.js';
import { POSTABLE_EVENTS, STATUS_TRANSITIONS } from '../../domain/referral-workflow.js';
import { EventInput } from '../../schemas/referral.js';
import { Sla } from '../../schemas/organization.js';

describe('service-level timers as data', () => {
  it('stops the acknowledgement timer on received, accepted or rejected, and first contact on an intake', () => {
    expect(SLA_TIMERS.acknowledge.metBy).toEqual(['received', 'accepted', 'rejected']);
    expect(SLA_TIMERS.first_contact.metBy).toEqual(['intake_scheduled', 'attended']);
    for (const timer of Object.values(SLA_TIMERS)) for (const event of timer.metBy) expect(POSTABLE_EVENTS).toContain(event);
  });

  it('never runs on a referral that is finished or not yet delivered', () => {
    for (const terminal of ['rejected', 'completed', 'failed', 'cancelled'] as const) {
      expect(STATUS_TRANSITIONS[terminal]).toEqual([]);
      expect(SLA_OPEN_STATUSES).not.toContain(terminal);
    }
    for (const undelivered of ['awaiting_consent', 'queued', 'delivery_failed'] as const) expect(SLA_OPEN_STATUSES).not.toContain(undelivered);
  });

  it('is not an event anyone may post: only the hub records a breach', () => {
    expect(POSTABLE_EVENTS as readonly string[]).not.toContain('sla_breached');
    expect(EventInput.safeParse({ type: 'sla_breached' }).success).toBe(false);
  });

  it('names the timer, its setting and the deadline in the timeline reason', () => {
    const deadline = new Date('2026-03-01T12:00:00Z');
    expect(breachReason('acknowledge', { acknowledgeWithinHours: 4 }, deadline)).toBe(
      'acknowledge SLA breached: no received, accepted, rejected within 4 hours of delivery (deadline 2026-03-01T12:00:00.000Z)',
    );
    expect(breachReason('first_contact', { firstContactWithinDays: 1 }, deadline)).toContain('within 1 day of delivery');
  });

  it('takes fractions, refuses zero, negatives, windows too long and unknown fields', () => {
    expect(Sla.safeParse({ acknowledgeWithinHours: 0.5, firstContactWithinDays: 0.25 }).success).toBe(true);
    expect(Sla.safeParse({}).success).toBe(true);
    for (const bad of [{ acknowledgeWithinHours: 0 }, { acknowledgeWithinHours: -1 }, { acknowledgeWithinHours: 721 }, { firstContactWithinDays: 91 }, { firstContactWithinDays: '2' }, { other: 1 }]) {
      expect(Sla.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
