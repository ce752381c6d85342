import { describe, expect, it } from 'vitest';
import { PART2_REDISCLOSURE_NOTICE, WITHHELD_NOTICE, project } from '../../consent/index.js';
import type { Decision, Disclosed, ProjectedCaseFile } from '../../consent/index.js';
import type { CaseFile } from '../../schemas/case-file.js';
import { DATA_CATEGORIES, type DataCategory } from '../../schemas/vocabulary.js';

const caseFile: CaseFile = {
  identity: { name: { given: ['Sam'], family: 'Doe' }, birthDate: '1990-05-01' },
  contact: { phone: '555-0100', address: { line: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701' } },
  mental_health: { diagnosis: 'PTSD', screens: [{ tool: 'TCU TRMA', score: 12 }] },
  substance_use: { asi: { alcohol: 0.4 } },
  housing: { status: 'unhoused' },
  notes: [
    { category: 'housing', text: 'Needs a ground-floor unit.' },
    { category: 'mental_health', text: 'Disclosed nightmares since release.' },
    { category: 'substance_use', text: 'Attending IOP twice a week.' },
  ],
};

/** A decision as `decide` shapes it: every category either permitted (with bases) or denied. */
function decision(permitted: Partial<Record<DataCategory, string[]>>): Decision {
  const cats = DATA_CATEGORIES.filter((c) => c in permitted);
  return {
    request: { participant: { id: 'p1', birthDate: '1990-05-01' }, recipient: { id: 'org-1', kind: 'housing' }, purpose: 'care_coordination', at: new Date('2026-03-01T00:00:00Z') },
    permitted: cats,
    denied: DATA_CATEGORIES.filter((c) => !(c in permitted)).map((category) => ({ category, reason: 'no active basis' })),
    bases: permitted,
    obligations: cats.includes('substance_use') ? [{ code: '42CFR2.32', text: PART2_REDISCLOSURE_NOTICE }] : [],
  };
}

describe('project', () => {
  it('copies only the permitted sections', () => {
    const p = project(caseFile, decision({ identity: ['c1'], contact: ['c1'] }));
    expect(Object.keys(p.caseFile)).toEqual(['identity', 'contact']);
    expect(p.caseFile.contact).toEqual(caseFile.contact);
    expect(p.categories).toEqual(['identity', 'contact']);
    expect(p.basisIds).toEqual(['c1']);
  });

  it('discloses the referral’s free-text reason only where identity is permitted, and counts it otherwise', () => {
    const reason = 'Needs housing; on methadone since May';
    const seen = project({ housing: { status: 'unhoused' } }, decision({ identity: ['c1'], housing: ['c2'] }), { reason });
    expect(seen.reason).toBe(reason);
    // Recorded under the basis that lets the recipient know the participant.
    expect(seen.categories).toEqual(['identity', 'housing']);
    expect(seen.basisIds).toEqual(['c1', 'c2']);
    const unseen = project({ housing: { status: 'unhoused' } }, decision({ housing: ['c2'] }), { reason });
    expect(unseen).not.toHaveProperty('reason');
    expect(unseen.withheld.count).toBe(1);
    expect(JSON.stringify(unseen)).not.toContain('methadone');
  });

  it('hands out a copy: changing the projection leaves the case file alone', () => {
    const p = project(caseFile, decision({ mental_health: ['c1'] }));
    (p.caseFile.mental_health!.screens as { score: number }[])[0]!.score = 99;
    expect((caseFile.mental_health!.screens as { score: number }[])[0]!.score).toBe(12);
  });

  it('notes are projected with their category', () => {
    const p = project(caseFile, decision({ housing: ['c1'] }));
    expect(p.caseFile.notes).toEqual([{ category: 'housing', text: 'Needs a ground-floor unit.' }]);
    expect(p.withheld.count).toBe(4 + 2); // identity, contact, mental_health, substance_use; two notes
  });

  it('a permitted note counts as a disclosed category even without its section', () => {
    const file: CaseFile = { notes: [{ category: 'family', text: 'Lives with an aunt.' }] };
    const p = project(file, decision({ family: ['c9'], medical: ['c8'] }));
    expect(p.categories).toEqual(['family']);
    expect(p.basisIds).toEqual(['c9']);
  });

  it('the redisclosure notice travels only with substance-use data', () => {
    const permitsSud = decision({ housing: ['c1'], substance_use: ['c2'] });
    expect(project({ housing: { status: 'unhoused' } }, permitsSud).notices).toEqual([]);
    expect(project({ notes: [{ category: 'substance_use', text: 'IOP' }] }, permitsSud).notices).toEqual([{ code: '42CFR2.32', text: PART2_REDISCLOSURE_NOTICE }]);
    expect(project(caseFile, permitsSud).notices).toHaveLength(1);
  });

  it('withheld counts but never names categories', () => {
    const p = project(caseFile, decision({ housing: ['c1'] }));
    expect(p.withheld.notice).toBe(WITHHELD_NOTICE);
    const json = JSON.stringify(p);
    for (const secret of ['mental_health', 'substance_use', 'PTSD', 'nightmares', 'IOP', '555-0100']) expect(json).not.toContain(secret);
    for (const category of DATA_CATEGORIES) expect(WITHHELD_NOTICE).not.toContain(category.replace('_', ' '));
  });

  it('nothing withheld: the count is zero and there is no notice', () => {
    const p = project({ housing: { status: 'housed' } }, decision({ housing: ['c1'] }));
    expect(p.withheld).toEqual({ count: 0, notice: '' });
  });

  it('nothing permitted: an empty projection that still counts what was held back', () => {
    const p = project(caseFile, decision({}));
    expect(p.caseFile).toEqual({});
    expect(p.withheld.count).toBe(8);
    expect(p).toMatchObject({ categories: [], basisIds: [], notices: [] });
  });

  it('fails closed on a decision that both permits and denies a category', () => {
    const d = decision({ housing: ['c1'] });
    d.denied.push({ category: 'housing', reason: 'consent c2 denies housing' });
    expect(project(caseFile, d).caseFile).toEqual({});
  });

  it('only project() mints Disclosed values', () => {
    const send = (payload: Disclosed<ProjectedCaseFile>) => payload.categories.length;
    expect(send(project(caseFile, decision({ housing: ['c1'] })))).toBe(1);
    const forged: ProjectedCaseFile = { caseFile, withheld: { count: 0, notice: '' }, notices: [], categories: [], basisIds: [] };
    // @ts-expect-error a hand-built payload is not Disclosed: partner-bound data must pass through project()
    send(forged);
  });
});

describe('project: copying', () => {
  it('keeps a "__proto__" key from JSON as data, not as the copy\'s prototype', () => {
    const file = { housing: JSON.parse('{"__proto__": {"polluted": true}, "status": "housed"}') } as CaseFile;
    const p = project(file, decision({ housing: ['c1'] }));
    expect(Object.getPrototypeOf(p.caseFile.housing)).toBe(Object.prototype);
    expect(JSON.stringify(p.caseFile.housing)).toBe('{"__proto__":{"polluted":true},"status":"housed"}');
  });
});
