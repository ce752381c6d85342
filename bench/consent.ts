/**
 * B4: decide() + project() throughput in process for a participant with 1, 20 and 200 active
 * bases, as operations per second on one core (one process, one thread), min/median/max of
 * alternating rounds, and each size as a ratio to the 1-basis baseline measured in the same run
 * (run-to-run noise on a shared machine is 15–20 %, so ratios within one run are what compare).
 *   npm run bench -- --only B4      (or npm run bench:consent)
 * `npm run bench` runs this file in its own process with --json.
 */
import { pathToFileURL } from 'node:url';
import { spread, type Spread } from './lib/stats.js';
import { decide, DEFAULT_MINOR_POLICY, project, type Basis, type DecisionRequest, type Provision } from '../consent/index.js';
import type { CaseFile } from '../schemas/case-file.js';
import { DATA_CATEGORIES, PURPOSES, type DataCategory } from '../schemas/vocabulary.js';

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

function opsPerSecond(set: Basis[], roundMs: number): number {
  let ops = 0;
  const started = performance.now();
  const end = started + roundMs;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) project(caseFile, decide(request, set, DEFAULT_MINOR_POLICY));
    ops += 100;
  }
  return (ops / (performance.now() - started)) * 1000;
}

export const CONSENT_SIZES = [1, 20, 200] as const;

export interface ConsentResult {
  bases: number;
  opsPerSecond: Spread;
  /** Median as a ratio to the 1-basis median. */
  ratioToOne: number;
}

export function measureConsent(rounds: number, roundMs: number): ConsentResult[] {
  const sets = CONSENT_SIZES.map((n) => bases(n, 'org_recipient'));
  for (const set of sets) opsPerSecond(set, Math.min(roundMs, 200)); // warm-up
  const samples: number[][] = sets.map(() => []);
  for (let round = 0; round < rounds; round++) sets.forEach((set, i) => samples[i]!.push(opsPerSecond(set, roundMs)));
  const baseline = spread(samples[0]!).median;
  return CONSENT_SIZES.map((n, i) => {
    const s = spread(samples[i]!);
    return { bases: n, opsPerSecond: s, ratioToOne: s.median / baseline };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string, fallback: number) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? Number(process.argv[at + 1]) : fallback;
  };
  const results = measureConsent(arg('--rounds', 5), arg('--ms', 400));
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(results)}\n`);
  else {
    console.log('decide + project, one core, min / median / max of alternating rounds');
    for (const r of results) {
      const f = (v: number) => Math.round(v).toLocaleString('en-US');
      console.log(`${String(r.bases).padStart(4)} bases: ${f(r.opsPerSecond.median).padStart(10)} ops/s  (${f(r.opsPerSecond.min)}–${f(r.opsPerSecond.max)})  ${r.ratioToOne.toFixed(2)}x of 1 basis`);
    }
  }
}
