import { describe, expect, it } from 'vitest';
import { planFor } from '../../dev/demo/plan.js';
import { Tracker } from '../../dev/demo/tracker.js';

/** The demo's record of which referrals its partners still have to act on. */
describe("the demo's tracker", () => {
  const plan = planFor(0, new Date('2026-06-01T00:00:00Z'));
  const referral = plan.referrals[0]!;

  it('remembers a partner told of a referral before the demo read its 201, so the partner still takes it on', () => {
    const tracker = new Tracker();
    // The webhook arrives first: nothing tracked yet to hand over.
    expect(tracker.handOver('ref_early')).toBeUndefined();
    tracker.add({ referralId: 'ref_early', participant: plan, referral });
    expect(tracker.toldBeforeTracked('ref_early')).toBe(true);
    expect(tracker.toldBeforeTracked('ref_early')).toBe(false);
    expect(tracker.handOver('ref_early')?.referralId).toBe('ref_early');
  });

  it('hands a referral over once, however often its partner is told', () => {
    const tracker = new Tracker();
    tracker.add({ referralId: 'ref_once', participant: plan, referral });
    expect(tracker.toldBeforeTracked('ref_once')).toBe(false);
    expect(tracker.handOver('ref_once')).toBeDefined();
    expect(tracker.handOver('ref_once')).toBeUndefined();
  });
});
