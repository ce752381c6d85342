import { describe, expect, it } from 'vitest';
import { consentWarnings, signatureProblems } from '../../consent/index.js';
import type { Provision, Signature } from '../../consent/index.js';

const participant: Signature = { signer: 'participant', name: 'Sam Doe', signedAt: '2026-01-01T00:00:00Z', method: 'electronic' };
const guardian: Signature = { signer: 'guardian', name: 'Pat Doe', signedAt: '2026-01-01T00:00:00Z', method: 'wet' };
const at = new Date('2026-03-01T00:00:00Z');

describe('recording a consent: signatures and documents', () => {
  it("a consent without the participant's signature cannot be recorded", () => {
    expect(signatureProblems({ basis: 'consent', signatures: [guardian] })).toEqual([{ path: 'signatures', message: "a consent needs the participant's signature" }]);
    expect(signatureProblems({ basis: 'consent', signatures: [participant] })).toEqual([]);
  });

  it('a court order or statute must reference its document, and needs no signature', () => {
    expect(signatureProblems({ basis: 'court_order' })).toEqual([{ path: 'documentRef', message: 'a court order basis must reference the court order' }]);
    expect(signatureProblems({ basis: 'statute', documentRef: '  ' })[0]?.path).toBe('documentRef');
    expect(signatureProblems({ basis: 'statute', documentRef: 'ORS 419A.255' })).toEqual([]);
  });

  it("a minor's consent beyond what the minor may consent to alone needs the guardian's signature", () => {
    const sudOnly: Provision = { type: 'permit', actors: [{ organizationId: 'org-newleaf' }], categories: ['substance_use'] };
    const wider: Provision = { type: 'permit', actors: [{ organizationId: 'org-newleaf' }], categories: ['substance_use', 'mental_health'] };
    const youth = (provision: Provision) => ({ birthDate: '2010-06-01', at, provision });
    expect(signatureProblems({ basis: 'consent', signatures: [participant] }, youth(sudOnly))).toEqual([]);
    expect(signatureProblems({ basis: 'consent', signatures: [participant] }, youth(wider))).toHaveLength(1);
    expect(signatureProblems({ basis: 'consent', signatures: [participant, guardian] }, youth(wider))).toEqual([]);
    expect(signatureProblems({ basis: 'consent', signatures: [participant] }, { ...youth(wider), birthDate: '1990-06-01' })).toEqual([]);
  });
});

describe('consent warnings', () => {
  it('warns when a permit reaches substance_use without naming the recipient (42 CFR 2.31)', () => {
    const byKind: Provision = { type: 'permit', actors: [{ organizationKind: 'housing' }], purposes: ['care_coordination'] };
    expect(consentWarnings(byKind)).toEqual([expect.stringMatching(/substance_use without naming its recipient.*42 CFR Part 2 \(§ 2\.31/)]);
  });

  it('does not warn for a Part 2 consent that names recipient, purpose and end', () => {
    const named: Provision = {
      type: 'deny',
      provisions: [{ type: 'permit', actors: [{ organizationId: 'org-newleaf' }], purposes: ['treatment'], categories: ['substance_use'] }],
    };
    expect(consentWarnings(named, { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' })).toEqual([]);
  });

  it('does not warn when substance_use is excepted out', () => {
    const allBut: Provision = { type: 'permit', actors: [{ organizationKind: 'housing' }], provisions: [{ type: 'deny', categories: ['substance_use'] }] };
    const contactOnly: Provision = { type: 'permit', categories: ['contact'] };
    expect(consentWarnings(contactOnly)).toEqual([]);
    expect(consentWarnings(allBut)).toEqual([]);
  });

  it('warns about a Part 2 permit with no end date, and about lists that match nothing', () => {
    const open: Provision = { type: 'permit', actors: [{ organizationId: 'org-newleaf' }, {}], purposes: [], categories: ['substance_use'] };
    const warnings = consentWarnings(open, { start: '2026-01-01T00:00:00Z' });
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/no end date/),
        expect.stringMatching(/lists no purposes/),
        expect.stringMatching(/names neither an organisation nor a kind/),
      ]),
    );
  });
});
