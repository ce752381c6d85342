import type { CaseFile } from '../../schemas/case-file.js';

/**
 * The case file every intake scenario and floor sends: all the usual sections and four notes,
 * about 4 KB of JSON, the size the performance targets are stated for.
 */
export function benchCaseFile(targetBytes = 4096): CaseFile {
  const caseFile: CaseFile = {
    identity: { name: { given: ['Jordan', 'Alex'], family: 'Rivera' }, birthDate: '1990-04-12', identifiers: [{ system: 'urn:state:sid', value: 'IL-2026-004211' }] },
    contact: { phone: '555-0100', email: 'jordan.rivera@example.org', address: { line: '1200 East Main Street, Apt 4', city: 'Springfield', state: 'IL', postalCode: '62701' } },
    demographics: { gender: 'nonbinary', language: 'en', veteran: false },
    justice: { supervisionLevel: 'medium', caseNumber: '2026-CR-001234', officer: 'K. Mendez', conditions: ['curfew 22:00', 'no contact order', 'monthly drug screen'] },
    risk_assessment: { instrument: 'ORAS-CST', score: 21, band: 'moderate', assessedOn: '2026-03-02' },
    mental_health: { diagnoses: ['F41.1'], medication: 'sertraline 50 mg', provider: 'Eastside Clinic' },
    substance_use: { asiScore: 0.42, substances: ['alcohol'], lastUse: '2026-02-10', inTreatment: true },
    employment: { status: 'part-time', employer: 'Warehouse Co', hoursPerWeek: 24 },
    housing: { status: 'couch-surfing', eviction: false, preferredArea: 'east side' },
    notes: [
      { category: 'housing', text: 'Prefers the east side, near work; has a cat.' },
      { category: 'substance_use', text: 'In outpatient treatment since May, attending twice a week.' },
      { category: 'employment', text: 'Shift work, mornings are hard to schedule.' },
      { category: 'justice', text: 'Next review hearing in the autumn.' },
    ],
  };
  // Pad the longest free-text field until the file is the target size.
  const size = () => Buffer.byteLength(JSON.stringify(caseFile));
  const filler = 'Background and circumstances recorded at intake by the supervising officer. ';
  let text = caseFile.notes![0]!.text;
  while (size() < targetBytes) {
    text += filler.slice(0, Math.max(1, Math.min(filler.length, targetBytes - size())));
    caseFile.notes![0]!.text = text;
  }
  return caseFile;
}

export const benchReason = 'Needs stable housing before the release review';
