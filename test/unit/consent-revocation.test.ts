import { describe, expect, it } from 'vitest';
import { irrevocabilityProblems, revocationRefusal } from '../../consent/index.js';

const at = new Date('2026-12-01T12:00:00Z');
const period = { start: '2026-11-01T00:00:00Z', end: '2027-11-01T00:00:00Z' };

describe('revoking a consent (42 CFR 2.31(a)(6), 2.35)', () => {
  it('allows revoking an ordinary consent at any time, and refuses a second revocation', () => {
    expect(revocationRefusal({ status: 'active', period }, at)).toBeUndefined();
    expect(revocationRefusal({ status: 'revoked', period }, at)).toEqual({ code: 'already_revoked', message: 'this consent is already revoked' });
  });

  it('refuses a § 2.35 consent until its stated date, naming the event, and allows it from then', () => {
    const consent = { status: 'active' as const, period, irrevocable: { event: 'the final disposition of case 26-CR-0114', until: '2027-03-01T00:00:00Z' } };
    const refusal = revocationRefusal(consent, at);
    expect(refusal?.code).toBe('irrevocable');
    expect(refusal?.message).toContain('may not be revoked until the final disposition of case 26-CR-0114 (at the latest 2027-03-01)');
    expect(revocationRefusal(consent, new Date('2027-03-01T00:00:00Z'))).toBeUndefined();
  });

  it('without a date, holds until the consent ends, and never refuses an ended one', () => {
    const consent = { status: 'active' as const, period, irrevocable: { event: 'final disposition' } };
    expect(revocationRefusal(consent, new Date('2027-10-31T23:00:00Z'))?.code).toBe('irrevocable');
    expect(revocationRefusal(consent, new Date('2027-11-01T00:00:00Z'))).toBeUndefined();
    expect(revocationRefusal({ ...consent, status: 'expired' }, at)).toBeUndefined();
  });

  it('records irrevocability only on a consent basis that says when it stops', () => {
    expect(irrevocabilityProblems({ basis: 'consent', period, irrevocable: { event: 'final disposition' } })).toEqual([]);
    expect(irrevocabilityProblems({ basis: 'court_order', period, irrevocable: { event: 'final disposition' } }).map((p) => p.path)).toEqual(['irrevocable']);
    expect(irrevocabilityProblems({ basis: 'consent', period: { start: period.start }, irrevocable: { event: 'final disposition' } }).map((p) => p.path)).toEqual(['irrevocable.until']);
    expect(irrevocabilityProblems({ basis: 'consent', period, irrevocable: { event: 'x', until: '2026-10-01T00:00:00Z' } }).map((p) => p.path)).toEqual(['irrevocable.until']);
  });
});
