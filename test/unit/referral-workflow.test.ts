import { describe, expect, it } from 'vitest';
import { HUB_EVENTS, STATUS_TRANSITIONS, step, type WorkflowState } from '../../domain/referral-workflow.js';
import { REFERRAL_STATUSES } from '../../schemas/vocabulary.js';

const at = (status: WorkflowState['status'], statusBeforeHold: WorkflowState['statusBeforeHold'] = null): WorkflowState => ({ status, statusBeforeHold });

describe('the referral state machine', () => {
  it('lets the hub release, hold, deliver, fail and replay only from where the table allows', () => {
    expect(step(at('awaiting_consent'), 'released')).toEqual(at('queued'));
    expect(step(at('queued'), 'held_for_consent')).toEqual(at('awaiting_consent'));
    expect(step(at('queued'), 'delivered')).toEqual(at('delivered'));
    // A send in flight when a revocation put the referral back to wait, taken by the partner.
    expect(step(at('awaiting_consent'), 'delivered')).toEqual(at('delivered'));
    expect(step(at('queued'), 'delivery_failed')).toEqual(at('delivery_failed'));
    expect(step(at('delivery_failed'), 'replayed')).toEqual(at('queued'));
    for (const illegal of [[at('delivered'), 'released'], [at('cancelled'), 'delivered'], [at('accepted'), 'replayed'], [at('delivered'), 'delivery_failed']] as const) {
      expect(step(illegal[0], illegal[1]), `${illegal[1]} from ${illegal[0].status}`).toBeUndefined();
    }
  });

  it('never takes a hub event along an edge the table does not hold', () => {
    for (const status of REFERRAL_STATUSES) {
      for (const event of HUB_EVENTS) {
        const next = step(at(status), event);
        if (next) expect(STATUS_TRANSITIONS[status]).toContain(next.status);
      }
    }
  });

  it('puts a referral on hold and back to the status it left', () => {
    const held = step(at('accepted'), 'on_hold')!;
    expect(held).toEqual(at('on_hold', 'accepted'));
    expect(step(held, 'resumed')).toEqual(at('accepted'));
    expect(step(held, 'completed')).toBeUndefined();
  });

  it('keeps the state for engagement events, and refuses them before acceptance', () => {
    expect(step(at('in_progress'), 'attended')).toEqual(at('in_progress'));
    expect(step(at('delivered'), 'progress_note')).toBeUndefined();
  });
});
