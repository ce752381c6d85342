import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MINOR_POLICY, decide, partnerView, project, sharedOrWithheld } from '../../consent/index.js';
import type { Basis, DecisionRequest, OrganizationRef, Provision, ProvisionActor } from '../../consent/index.js';
import type { CaseFile } from '../../schemas/case-file.js';
import { DATA_CATEGORIES, PURPOSES, type DataCategory } from '../../schemas/vocabulary.js';

const ORGS: OrganizationRef[] = [
  { id: 'org-a', kind: 'housing', name: 'A' },
  { id: 'org-b', kind: 'sud_treatment', name: 'B', part2Program: true },
  { id: 'org-c', kind: 'sud_treatment' },
  { id: 'org-d', kind: 'probation', name: 'D' },
];
const TIMES = ['2025-06-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', '2027-01-01T00:00:00Z'];

// Biased towards matching: with uniform choices almost every decision would be "deny all" and the
// properties would hold vacuously.
const maybe = <T>(arb: fc.Arbitrary<T>, present: number) =>
  fc.oneof({ weight: present, arbitrary: arb }, { weight: 10 - present, arbitrary: fc.constant(undefined) });

const category = fc.constantFrom(...DATA_CATEGORIES);
const period = fc.oneof(
  { weight: 4, arbitrary: fc.record({ start: fc.constantFrom(TIMES[0]!, TIMES[1]!), end: maybe(fc.constantFrom(TIMES[2]!, TIMES[3]!), 5) }) },
  { weight: 1, arbitrary: fc.record({ start: fc.constantFrom(...TIMES), end: maybe(fc.constantFrom(...TIMES), 5) }) },
);

const org = fc.constantFrom(...ORGS);
const actor: fc.Arbitrary<ProvisionActor> = fc
  .tuple(fc.constantFrom(undefined, 'recipient' as const, 'source' as const, undefined), org, fc.constantFrom('id', 'kind', 'id', 'both'))
  .map(([role, o, by]) => ({
    role,
    organizationId: by === 'kind' ? undefined : o.id,
    organizationKind: by === 'id' ? undefined : o.kind,
  }));

const provision: fc.Arbitrary<Provision> = fc.letrec<{ node: Provision }>((tie) => ({
  node: fc.record({
    type: fc.constantFrom('permit' as const, 'deny' as const),
    actors: maybe(fc.array(actor, { minLength: 1, maxLength: 2 }), 4),
    purposes: maybe(fc.uniqueArray(fc.constantFrom(...PURPOSES), { minLength: 1, maxLength: 3 }), 3),
    categories: maybe(fc.uniqueArray(category, { minLength: 1, maxLength: 6 }), 5),
    period: maybe(period, 2),
    // The first branch (no exceptions) is forced past depth 3, so trees stay finite.
    provisions: fc.oneof(
      { depthIdentifier: 'tree', maxDepth: 3 },
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.array(tie('node'), { minLength: 1, maxLength: 2 }) },
    ),
  }),
})).node;

const participantSig = { signer: 'participant' as const, name: 'P', signedAt: TIMES[0]!, method: 'wet' as const };
const guardianSig = { signer: 'guardian' as const, name: 'G', signedAt: TIMES[0]!, method: 'wet' as const };
const basis = (i: number): fc.Arbitrary<Basis> =>
  fc.record({
    id: fc.constant(`${String(i).padStart(8, '0')}-basis`),
    participantId: fc.constant('p1'),
    basis: fc.constantFrom('consent' as const, 'consent' as const, 'consent' as const, 'court_order' as const, 'statute' as const),
    status: fc.constantFrom('active' as const, 'active' as const, 'active' as const, 'revoked' as const, 'expired' as const),
    period,
    signatures: fc.constantFrom([participantSig], [participantSig, guardianSig], [participantSig], [guardianSig], []),
    provision,
  });

const bases: fc.Arbitrary<Basis[]> = fc
  .integer({ min: 0, max: 6 })
  .chain((n) => (n === 0 ? fc.constant([]) : fc.tuple(...Array.from({ length: n }, (_, i) => basis(i)))));

const request: fc.Arbitrary<DecisionRequest> = fc.record({
  participant: fc.record({ id: fc.constant('p1'), birthDate: fc.constantFrom('1990-01-01', '1990-01-01', '2010-06-01', '2015-01-01', '2008-06-01') }),
  recipient: org,
  source: maybe(org, 5),
  purpose: fc.constantFrom(...PURPOSES),
  at: fc.constantFrom(...TIMES, '2026-03-15T10:00:00Z', '2026-03-15T10:00:00Z').map((t) => new Date(t)),
});

const caseFile: fc.Arbitrary<CaseFile> = fc
  .tuple(fc.subarray([...DATA_CATEGORIES]), fc.array(fc.record({ category, text: fc.string({ minLength: 1, maxLength: 8 }) }), { maxLength: 6 }))
  .map(([sections, notes]) => {
    const file: Record<string, unknown> = Object.fromEntries(sections.map((c) => [c, { value: `${c}-secret`, nested: { c } }]));
    if (notes.length > 0) file.notes = notes;
    return file as CaseFile;
  });

const setOf = (cats: readonly DataCategory[]) => new Set(cats);

describe('consent properties', () => {
  it('the projection never contains a category or note the decision denies', () => {
    fc.assert(
      fc.property(request, bases, caseFile, (req, bs, file) => {
        const d = decide(req, bs, DEFAULT_MINOR_POLICY);
        expect(d.permitted.length + d.denied.length).toBe(DATA_CATEGORIES.length);
        const denied = setOf(d.denied.map((x) => x.category));
        const p = project(file, d);
        for (const c of denied) expect(p.caseFile[c]).toBeUndefined();
        for (const n of p.caseFile.notes ?? []) expect(denied.has(n.category)).toBe(false);
        for (const c of p.categories) expect(d.permitted).toContain(c);
        const present = DATA_CATEGORIES.filter((c) => file[c] !== undefined).length + (file.notes?.length ?? 0);
        const kept = DATA_CATEGORIES.filter((c) => p.caseFile[c] !== undefined).length + (p.caseFile.notes?.length ?? 0);
        expect(p.withheld.count).toBe(present - kept);
      }),
      { numRuns: 1000 },
    );
  });

  it('the referrer’s preview says shared exactly for what the partner’s view holds, and gives the decision’s reason for the rest', () => {
    const header = { id: 'ref_x', status: 'delivered' as const, service: 'housing' as const, purpose: 'treatment' as const, priority: 'routine' as const, createdAt: TIMES[0]! };
    fc.assert(
      fc.property(request, bases, caseFile, (req, bs, file) => {
        const d = decide(req, bs, DEFAULT_MINOR_POLICY);
        const content = { caseFile: file, reason: 'why' };
        const { view, projected } = partnerView(header, content, d);
        const pieces = sharedOrWithheld(content, d, projected);
        expect(pieces.find((p) => p.part === 'reason')!.shared).toBe(view.reason !== undefined);
        for (const c of DATA_CATEGORIES.filter((c) => file[c] !== undefined)) {
          expect(pieces.find((p) => p.part === 'section' && p.category === c)!.shared).toBe(view.caseFile[c] !== undefined);
        }
        const notes = pieces.filter((p) => p.part === 'note');
        expect(notes.filter((p) => p.shared).map((p) => file.notes![p.index!])).toEqual(view.caseFile.notes ?? []);
        expect(pieces.filter((p) => !p.shared).length).toBe(view.withheld.count);
        for (const p of pieces.filter((p) => !p.shared)) expect(p.why).toMatch(/\w/);
        for (const p of pieces.filter((p) => !p.shared && d.permitted.includes('identity'))) {
          expect(p.why).toBe(d.denied.find((x) => x.category === p.category)!.reason);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('revoking a basis never widens the permitted set, except to reopen what it alone explicitly denied', () => {
    fc.assert(
      fc.property(request, bases, fc.nat(), (req, bs, pick) => {
        fc.pre(bs.length > 0);
        const i = pick % bs.length;
        const target = bs[i]!;
        const before = decide(req, bs, DEFAULT_MINOR_POLICY);
        for (const after of [
          decide(req, bs.map((b, j) => (j === i ? { ...b, status: 'revoked' as const } : b)), DEFAULT_MINOR_POLICY),
          decide(req, bs.filter((_, j) => j !== i), DEFAULT_MINOR_POLICY),
        ]) {
          const widened = after.permitted.filter((c) => !before.permitted.includes(c));
          for (const c of widened) {
            expect(before.denied.find((x) => x.category === c)?.reason).toMatch(new RegExp(`^\\w[\\w ]* ${target.id.slice(0, 8)} denies `));
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('shuffling the bases gives the same decision', () => {
    const shuffled = bases.chain((bs) => fc.tuple(fc.constant(bs), fc.shuffledSubarray(bs, { minLength: bs.length, maxLength: bs.length })));
    fc.assert(
      fc.property(request, shuffled, (req, [bs, other]) => {
        expect(decide(req, other, DEFAULT_MINOR_POLICY)).toEqual(decide(req, bs, DEFAULT_MINOR_POLICY));
      }),
      { numRuns: 1000 },
    );
  });
});
