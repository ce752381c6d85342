/**
 * decide() + project() throughput for a participant with 1, 20 and 200 active bases.
 *   npm run bench:consent
 * Reports operations per second per core (one process, one thread) as the median of several
 * alternating rounds, and each size as a ratio to the 1-basis baseline measured in the same run
 * (NOTES.md: run-to-run noise here is 15–20 %, so ratios within one run are what compare).
 */
import { decide, DEFAULT_MINOR_POLICY, project, type Basis, type DecisionRequest, type Provision } from '../consent/index.js';
import type { CaseFile } from '../schemas/case-file.js';
import { DATA_CATEGORIES, PURPOSES, type DataCategory } from '../schemas/vocabulary.js';

const ROUNDS = 5;
const ROUND_MS = 400;

function bases(count: number, recipientId: string): Basis[] {
  return Array.from({ length: count }, (_, i) => {
    const categories = DATA_CATEGORIES.filter((_, c) => (i + c) % 3 !== 0) as DataCategory[];
    const provision: Provision =
      i % 4 === 0
        ? { type: 'permit', actors: [{ organizationId: i % 8 === 0 ? recipientId : `org_other${i}` }], purposes: [...PURPOSES], provisions: [{ type: 'deny', categories: ['substance_use'] }] }
        : { type: 'permit', actors: [{ organizationKind: 'housing' }], purposes: ['care_coordination'], categories };
    return {
      id: `con_${String(i).padStart(22, '0')}`,
      participantId: 'par_bench',
      basis: 'consent',
      status: 'active',
      period: { start: '2026-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' },
      signatures: [{ signer: 'participant', name: 'P', signedAt: '2026-01-01T00:00:00Z', method: 'electronic' }],
      provision,
    };
  });
}

const caseFile: CaseFile = {
  identity: { name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12' },
  contact: { phone: '555-0100' },
  housing: { status: 'shelter', since: '2026-01-01' },
  justice: { supervision: 'medium' },
  substance_use: { asi: 0.4 },
  notes: [
    { category: 'housing', text: 'prefers east side' },
    { category: 'substance_use', text: 'outpatient since May' },
  ],
};

const request: DecisionRequest = {
  participant: { id: 'par_bench', birthDate: '1990-04-12' },
  recipient: { id: 'org_recipient', kind: 'housing', name: 'Eastside Housing' },
  purpose: 'care_coordination',
  at: new Date('2027-06-01T00:00:00Z'),
};

function opsPerSecond(set: Basis[]): number {
  let ops = 0;
  const end = performance.now() + ROUND_MS;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) project(caseFile, decide(request, set, DEFAULT_MINOR_POLICY));
    ops += 100;
  }
  return (ops / ROUND_MS) * 1000;
}

const sizes = [1, 20, 200];
const sets = sizes.map((n) => bases(n, 'org_recipient'));
for (const set of sets) opsPerSecond(set); // warm-up
const samples: number[][] = sizes.map(() => []);
for (let round = 0; round < ROUNDS; round++) sets.forEach((set, i) => samples[i]!.push(opsPerSecond(set)));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const baseline = median(samples[0]!);
console.log('decide + project, one core, median of', ROUNDS, 'rounds');
for (const [i, n] of sizes.entries()) {
  const m = median(samples[i]!);
  console.log(`${String(n).padStart(4)} bases: ${Math.round(m).toLocaleString('en-US').padStart(10)} ops/s   ${(m / baseline).toFixed(2)}x of 1 basis`);
}
