import { describe, expect, it } from 'vitest';
import { DEFAULT_MINOR_POLICY, PART2_REDISCLOSURE_NOTICE, ageAt, decide } from '../../consent/index.js';
import type { Basis, DecisionRequest, OrganizationRef, Provision, Signature } from '../../consent/index.js';
import type { DataCategory, Purpose } from '../../schemas/vocabulary.js';

const probation: OrganizationRef = { id: 'org-probation', kind: 'probation', name: 'County Probation' };
const housing: OrganizationRef = { id: 'org-housing', kind: 'housing', name: 'Safe Harbor Housing' };
const clinic: OrganizationRef = { id: 'org-clinic', kind: 'mental_health', name: 'Riverside Clinic' };
const newLeaf: OrganizationRef = { id: 'org-newleaf', kind: 'sud_treatment', name: 'New Leaf Recovery', part2Program: true };
const otherSud: OrganizationRef = { id: 'org-othersud', kind: 'sud_treatment', name: 'Hilltop SUD Program', part2Program: true };

const NOW = new Date('2026-03-01T12:00:00Z');
const ADULT = '1990-05-01';
const participant: Signature = { signer: 'participant', name: 'Sam Doe', signedAt: '2026-01-01T00:00:00Z', method: 'wet' };
const guardian: Signature = { signer: 'guardian', name: 'Pat Doe', relationship: 'mother', signedAt: '2026-01-01T00:00:00Z', method: 'wet' };

function consent(id: string, provision: Provision, over: Partial<Basis> = {}): Basis {
  return {
    id,
    participantId: 'p1',
    basis: 'consent',
    status: 'active',
    period: { start: '2026-01-01T00:00:00Z' },
    signatures: [participant],
    provision,
    ...over,
  };
}

function ask(recipient: OrganizationRef, purpose: Purpose = 'care_coordination', over: Partial<DecisionRequest> = {}): DecisionRequest {
  return { participant: { id: 'p1', birthDate: ADULT }, recipient, purpose, at: NOW, ...over };
}

const reasonFor = (d: ReturnType<typeof decide>, c: DataCategory) => d.denied.find((x) => x.category === c)?.reason;
const toOrg = (org: OrganizationRef) => [{ organizationId: org.id }];

describe('default deny', () => {
  it('with no basis nothing flows, and the reason names the recipient and purpose', () => {
    const d = decide(ask(housing), [], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toEqual([]);
    expect(d.denied).toHaveLength(12);
    expect(reasonFor(d, 'identity')).toBe('no active basis names Safe Harbor Housing for care coordination');
    expect(d.obligations).toEqual([]);
  });

  it('does not send substance-use data to a housing provider without a Part 2 consent', () => {
    const housingConsent = consent('c-housing-0001', { type: 'permit', actors: [{ organizationKind: 'housing' }], categories: ['identity', 'contact', 'housing'] });
    const d = decide(ask(housing), [housingConsent], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toEqual(['identity', 'contact', 'housing']);
    expect(reasonFor(d, 'substance_use')).toBe('no active basis permits substance_use to Safe Harbor Housing for care coordination');
    expect(d.obligations).toEqual([]);
  });

  it('sends substance-use data with the 42 CFR 2.32 notice under a Part 2 consent naming the recipient', () => {
    const part2 = consent('c-part2-0001', { type: 'permit', actors: toOrg(newLeaf), purposes: ['treatment'], categories: ['identity', 'substance_use'] });
    const d = decide(ask(newLeaf, 'treatment'), [part2], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toEqual(['identity', 'substance_use']);
    expect(d.bases).toEqual({ identity: ['c-part2-0001'], substance_use: ['c-part2-0001'] });
    expect(d.obligations).toEqual([{ code: '42CFR2.32', text: PART2_REDISCLOSURE_NOTICE }]);
    expect(PART2_REDISCLOSURE_NOTICE).toMatch(/^This record which has been disclosed to you is protected by Federal confidentiality rules \(42 CFR part 2\)/);
  });

  it('a consent for treatment does not cover court reporting', () => {
    const c = consent('c-treat-0001', { type: 'permit', actors: toOrg(probation), purposes: ['treatment'] });
    const d = decide(ask(probation, 'court_reporting'), [c], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toEqual([]);
    expect(reasonFor(d, 'justice')).toBe('no active basis names County Probation for court reporting');
  });

  it('a basis recorded for another participant is ignored', () => {
    const c = consent('c-other-0001', { type: 'permit' }, { participantId: 'p2' });
    expect(decide(ask(clinic), [c], DEFAULT_MINOR_POLICY).permitted).toEqual([]);
  });
});

describe('provisions are exceptions to their parent (FHIR R4 Consent)', () => {
  it('permit all except substance_use', () => {
    const c = consent('c-allbut-0001', { type: 'permit', actors: toOrg(clinic), provisions: [{ type: 'deny', categories: ['substance_use'] }] });
    const d = decide(ask(clinic), [c], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toHaveLength(11);
    expect(d.permitted).not.toContain('substance_use');
    expect(reasonFor(d, 'substance_use')).toBe('consent c-allbut denies substance_use to Riverside Clinic');
  });

  it('deny all except contact', () => {
    const c = consent('c-contact-001', { type: 'deny', provisions: [{ type: 'permit', actors: toOrg(housing), categories: ['contact'] }] });
    const d = decide(ask(housing), [c], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toEqual(['contact']);
    expect(reasonFor(d, 'mental_health')).toBe('no active basis permits mental_health to Safe Harbor Housing for care coordination');
  });

  it('a "deny all except" frame does not veto what another basis permits', () => {
    const frame = consent('c-contact-001', { type: 'deny', provisions: [{ type: 'permit', actors: toOrg(housing), categories: ['contact'] }] });
    const order: Basis = { ...consent('co-0000001', { type: 'permit', actors: toOrg(housing), categories: ['justice'] }), basis: 'court_order', signatures: [], documentRef: 'Order 2026-17' };
    expect(decide(ask(housing), [frame, order], DEFAULT_MINOR_POLICY).permitted).toEqual(['contact', 'justice']);
  });

  it('exceptions nest: permit all, except substance_use, except to the named Part 2 program', () => {
    const c = consent('c-nested-001', {
      type: 'permit',
      provisions: [{ type: 'deny', categories: ['substance_use'], provisions: [{ type: 'permit', actors: toOrg(newLeaf) }] }],
    });
    expect(decide(ask(newLeaf), [c], DEFAULT_MINOR_POLICY).permitted).toContain('substance_use');
    expect(decide(ask(clinic), [c], DEFAULT_MINOR_POLICY).permitted).not.toContain('substance_use');
  });

  it('among sibling exceptions a deny beats a permit', () => {
    const c = consent('c-sibling-01', {
      type: 'deny',
      provisions: [
        { type: 'permit', actors: toOrg(clinic), categories: ['mental_health', 'medical'] },
        { type: 'deny', actors: [{ organizationKind: 'mental_health' }], categories: ['medical'] },
      ],
    });
    expect(decide(ask(clinic), [c], DEFAULT_MINOR_POLICY).permitted).toEqual(['mental_health']);
  });

  it('a provision period limits the exception in time', () => {
    const c = consent('c-window-001', { type: 'permit', actors: toOrg(clinic), categories: ['medical'], period: { start: '2026-02-01T00:00:00Z', end: '2026-04-01T00:00:00Z' } });
    expect(decide(ask(clinic), [c], DEFAULT_MINOR_POLICY).permitted).toEqual(['medical']);
    expect(decide(ask(clinic, 'care_coordination', { at: new Date('2026-04-01T00:00:00Z') }), [c], DEFAULT_MINOR_POLICY).permitted).toEqual([]);
  });

  it('an actor naming both an organisation and a kind must match both', () => {
    const c = consent('c-both-0001', { type: 'permit', actors: [{ organizationId: clinic.id, organizationKind: 'housing' }] });
    expect(decide(ask(clinic), [c], DEFAULT_MINOR_POLICY).permitted).toEqual([]);
  });
});

describe('combining bases', () => {
  it('an explicit deny in one consent beats a permit in another', () => {
    const permit = consent('c-permit-001', { type: 'permit', actors: toOrg(clinic), categories: ['mental_health', 'medical'] });
    const deny = consent('c-deny-0001', { type: 'deny', actors: [{ organizationKind: 'mental_health' }], categories: ['mental_health'] });
    const d = decide(ask(clinic), [permit, deny], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toEqual(['medical']);
    expect(d.bases.mental_health).toBeUndefined();
    expect(reasonFor(d, 'mental_health')).toBe('consent c-deny-0 denies mental_health to Riverside Clinic');
  });

  it('lists every basis that permits a category, sorted', () => {
    const a = consent('c-b', { type: 'permit', actors: toOrg(clinic), categories: ['medical'] });
    const b = consent('c-a', { type: 'permit', actors: toOrg(clinic), categories: ['medical', 'contact'] });
    expect(decide(ask(clinic), [a, b], DEFAULT_MINOR_POLICY).bases).toEqual({ contact: ['c-a'], medical: ['c-a', 'c-b'] });
  });

  it('the decision does not depend on the order of bases', () => {
    const bases = [
      consent('c-1', { type: 'permit', actors: toOrg(clinic) }),
      consent('c-2', { type: 'deny', categories: ['substance_use', 'family'] }),
      consent('c-3', { type: 'permit', actors: toOrg(clinic), categories: ['family'] }, { status: 'revoked' }),
      consent('c-4', { type: 'deny', categories: ['family'] }),
      consent('c-5', { type: 'permit', categories: ['medical'] }, { signatures: [] }),
    ];
    const first = decide(ask(clinic), bases, DEFAULT_MINOR_POLICY);
    for (const order of [[4, 3, 2, 1, 0], [2, 0, 4, 1, 3], [1, 4, 0, 3, 2]]) {
      expect(decide(ask(clinic), order.map((i) => bases[i]!), DEFAULT_MINOR_POLICY)).toEqual(first);
    }
    expect(reasonFor(first, 'family')).toBe('consent c-2 denies family to Riverside Clinic');
  });

  it('a court order needs no signature', () => {
    const order: Basis = { ...consent('co-0000002', { type: 'permit', actors: toOrg(probation), purposes: ['court_reporting'] }), basis: 'court_order', signatures: [] };
    expect(decide(ask(probation, 'court_reporting'), [order], DEFAULT_MINOR_POLICY).permitted).toHaveLength(12);
  });
});

describe('period and status', () => {
  const c = consent('c-period-001', { type: 'permit', actors: toOrg(clinic), categories: ['medical'] }, { period: { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' } });
  const at = (t: string) => ask(clinic, 'care_coordination', { at: new Date(t) });

  it('a revoked consent permits nothing', () => {
    const d = decide(ask(clinic), [{ ...c, status: 'revoked', revokedAt: '2026-02-15T09:30:00Z' }], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toEqual([]);
    expect(reasonFor(d, 'medical')).toBe('consent c-period was revoked on 2026-02-15');
    expect(reasonFor(d, 'family')).toMatch(/^no active basis/);
  });

  it('a consent is in effect from the first instant of its period', () => {
    expect(decide(at('2026-01-01T00:00:00Z'), [c], DEFAULT_MINOR_POLICY).permitted).toEqual(['medical']);
    expect(reasonFor(decide(at('2025-12-31T23:59:59Z'), [c], DEFAULT_MINOR_POLICY), 'medical')).toBe('consent c-period is not in effect until 2026-01-01');
  });

  it('a consent expires at the end of its period', () => {
    expect(decide(at('2026-12-31T23:59:59.999Z'), [c], DEFAULT_MINOR_POLICY).permitted).toEqual(['medical']);
    const d = decide(at('2027-01-01T00:00:00Z'), [c], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toEqual([]);
    expect(reasonFor(d, 'medical')).toBe('consent c-period expired on 2027-01-01');
  });

  it('a consent stored as expired permits nothing', () => {
    expect(reasonFor(decide(ask(clinic), [{ ...c, status: 'expired' }], DEFAULT_MINOR_POLICY), 'medical')).toBe('consent c-period has expired');
  });

  it('an explicit deny outranks an expiry in the reason', () => {
    const deny = consent('c-deny-0002', { type: 'deny', categories: ['medical'] });
    expect(reasonFor(decide(at('2027-06-01T00:00:00Z'), [c, deny], DEFAULT_MINOR_POLICY), 'medical')).toBe('consent c-deny-0 denies medical to Riverside Clinic');
  });
});

describe('signatures and minors', () => {
  const both = consent('c-minor-001', { type: 'permit', actors: toOrg(newLeaf), categories: ['mental_health', 'substance_use'] });
  const youth = (birthDate: string, at = NOW) => ask(newLeaf, 'treatment', { participant: { id: 'p1', birthDate }, at });

  it("a consent without the participant's signature permits nothing, but its denies still apply", () => {
    const unsigned = consent('c-unsign-01', { type: 'permit', actors: toOrg(clinic), provisions: [{ type: 'deny', categories: ['family'] }] }, { signatures: [] });
    const other = consent('c-signed-01', { type: 'permit', actors: toOrg(clinic), categories: ['family', 'medical'] });
    const d = decide(ask(clinic), [unsigned, other], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toEqual(['medical']);
    expect(reasonFor(d, 'contact')).toBe("consent c-unsign lacks the participant's signature");
    expect(reasonFor(d, 'family')).toBe('consent c-unsign denies family to Riverside Clinic');
  });

  it("a minor's consent needs the guardian's signature", () => {
    const d = decide(youth('2010-06-01'), [both], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toEqual(['substance_use']);
    expect(reasonFor(d, 'mental_health')).toBe('consent c-minor- lacks the signature of the guardian, required for a minor');
    expect(decide(youth('2010-06-01'), [{ ...both, signatures: [participant, guardian] }], DEFAULT_MINOR_POLICY).permitted).toEqual(['mental_health', 'substance_use']);
  });

  it('a 15-year-old may consent alone to substance_use', () => {
    expect(ageAt('2010-06-01', NOW)).toBe(15);
    expect(decide(youth('2010-06-01'), [both], DEFAULT_MINOR_POLICY).permitted).toContain('substance_use');
  });

  it('an 11-year-old may not consent alone to substance_use', () => {
    expect(decide(youth('2014-06-01'), [both], DEFAULT_MINOR_POLICY).permitted).toEqual([]);
  });

  it("the minor policy is the agency's: without self-consent a youth always needs the guardian", () => {
    expect(decide(youth('2010-06-01'), [both], { adultAge: 18, selfConsentFromAge: {} }).permitted).toEqual([]);
  });

  it('turns 18: adult from that day', () => {
    expect(decide(youth('2008-03-01', new Date('2026-02-28T23:59:59Z')), [both], DEFAULT_MINOR_POLICY).permitted).toEqual(['substance_use']);
    expect(decide(youth('2008-03-01', new Date('2026-03-01T00:00:00Z')), [both], DEFAULT_MINOR_POLICY).permitted).toEqual(['mental_health', 'substance_use']);
  });

  it('counts ages in whole years, a leap-day birthday turning over on 1 March', () => {
    expect(ageAt('2008-02-29', new Date('2026-02-28T12:00:00Z'))).toBe(17);
    expect(ageAt('2008-02-29', new Date('2026-03-01T00:00:00Z'))).toBe(18);
    expect(ageAt('not-a-date', NOW)).toBeNaN();
  });

  it('an unreadable birth date is treated as a minor', () => {
    expect(decide(youth('unknown'), [both], DEFAULT_MINOR_POLICY).permitted).toEqual([]);
  });
});

describe('status reported back by a partner', () => {
  const statusConsent = consent('c-2-35-0001', {
    type: 'permit',
    actors: [{ organizationKind: 'probation' }, { role: 'source', organizationId: newLeaf.id }],
    purposes: ['court_reporting'],
    categories: ['substance_use'],
  });
  const back = (source?: OrganizationRef) => ask(probation, 'court_reporting', { source });

  it("source actor: a Part 2 program's status reaches probation only under a consent naming it as source", () => {
    expect(decide(back(newLeaf), [statusConsent], DEFAULT_MINOR_POLICY).permitted).toEqual(['substance_use']);
    const other = decide(back(otherSud), [statusConsent], DEFAULT_MINOR_POLICY);
    expect(other.permitted).toEqual([]);
    expect(reasonFor(other, 'substance_use')).toBe('no active basis names County Probation for court reporting with data from Hilltop SUD Program');
  });

  it("a consent limited to a source does not open the hub's own case file", () => {
    expect(decide(back(undefined), [statusConsent], DEFAULT_MINOR_POLICY).permitted).toEqual([]);
  });
});
