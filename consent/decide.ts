import { DATA_CATEGORIES, type BasisKind, type DataCategory, type Purpose } from '../schemas/vocabulary.js';
import { ALL_CATEGORIES, CATEGORY_COUNT, categoryBit, denyOf, evaluateTree, permitOf } from './evaluate.js';
import { PART2_NOTICE_CODE, PART2_REDISCLOSURE_NOTICE } from './notices.js';
import { ageAt, day, ms, within } from './time.js';
import type { Basis, Decision, DecisionRequest, MinorPolicy, Obligation, OrganizationRef } from './types.js';

export { ageAt } from './time.js';

/**
 * Adults from 18; from 12 a minor may consent alone to SUD treatment data, as many states allow
 * (42 CFR 2.14(a) defers to state law on minors). Agencies configure their own.
 */
export const DEFAULT_MINOR_POLICY: MinorPolicy = { adultAge: 18, selfConsentFromAge: { substance_use: 12 } };

/** Why a category is denied, ranked by how much it tells a compliance officer. */
const Rank = { Inactive: 2, Unsigned: 3, ExplicitDeny: 4 } as const; // "no basis" is the fallback, rank 1
type Rank = (typeof Rank)[keyof typeof Rank];
const SUBSTANCE_USE = categoryBit('substance_use');
/** The best reason found so far for each category; its text is written only for the one kept. */
interface Why {
  rank: number[];
  basis: (Basis | undefined)[];
  /** For Rank.Unsigned: true when the participant signed and the guardian's signature is what is missing. */
  guardianMissing: boolean[];
}

const PURPOSE_LABEL: Record<Purpose, string> = {
  treatment: 'treatment',
  care_coordination: 'care coordination',
  court_reporting: 'court reporting',
  payment: 'payment',
};
const KIND_LABEL: Record<BasisKind, string> = { consent: 'consent', court_order: 'court order', statute: 'statute' };

function label(basis: Basis): string {
  return `${KIND_LABEL[basis.basis] ?? 'basis'} ${basis.id.slice(0, 8)}`;
}

function orgLabel(org: OrganizationRef): string {
  return org.name !== undefined && org.name !== '' ? org.name : org.id;
}

/** Why a basis does not apply at `at` at all, or undefined when it is in force. */
function inactive(basis: Basis, at: number): string | undefined {
  if (basis.status === 'revoked') {
    // A revoked consent permits nothing from that moment (42 CFR 2.31(a)(6); queued deliveries included).
    return `${label(basis)} was revoked${basis.revokedAt !== undefined ? ` on ${day(basis.revokedAt)}` : ''}`;
  }
  const start = ms(basis.period.start);
  if (!(at >= start)) {
    return Number.isFinite(start) ? `${label(basis)} is not in effect until ${day(basis.period.start)}` : `${label(basis)} has an unreadable period`;
  }
  if (basis.period.end !== undefined && !(at < ms(basis.period.end))) return `${label(basis)} expired on ${day(basis.period.end)}`;
  if (basis.status !== 'active') return `${label(basis)} has expired`;
  return undefined;
}

function inForce(basis: Basis, at: number): boolean {
  return basis.status === 'active' && within(basis.period, at);
}

/** The sentence a compliance officer reads for a denied category. Never case-file content. */
function explain(rank: Rank, basis: Basis, category: DataCategory, guardianMissing: boolean, at: number, from: string, recipient: string, guardians: string): string {
  if (rank === Rank.ExplicitDeny) return `${label(basis)} denies ${category}${from} to ${recipient}`;
  if (rank === Rank.Unsigned) {
    return guardianMissing
      ? `${label(basis)} lacks the signature of ${guardians}, required for a minor`
      : `${label(basis)} lacks the participant's signature`;
  }
  return inactive(basis, at) ?? `${label(basis)} is not in force`;
}

/** Categories a minor of this age may consent to without a guardian, under the policy. */
function selfConsentMask(policy: MinorPolicy, age: number): number {
  let mask = 0;
  for (let i = 0; i < CATEGORY_COUNT; i++) {
    const from = policy.selfConsentFromAge[DATA_CATEGORIES[i] as DataCategory];
    if (from !== undefined && age >= from) mask |= 1 << i;
  }
  return mask;
}

/** Keep the most informative reason; ties go to the smallest basis id so the result ignores input order. */
function note(why: Why, mask: number, rank: Rank, basis: Basis, guardianMissing = false): void {
  if (mask === 0) return;
  for (let i = 0; i < CATEGORY_COUNT; i++) {
    if ((mask & (1 << i)) === 0) continue;
    const cur = why.rank[i] as number;
    if (cur > rank || (cur === rank && (why.basis[i] as Basis).id <= basis.id)) continue;
    why.rank[i] = rank;
    why.basis[i] = basis;
    why.guardianMissing[i] = guardianMissing;
  }
}

/**
 * The consent decision for one request (FHIR R4 Consent semantics, default deny). Pure: the caller
 * passes the participant's bases already loaded. A category is permitted iff some in-force basis
 * permits it (with the signatures it needs) and no in-force basis explicitly denies it.
 */
export function decide(request: DecisionRequest, bases: readonly Basis[], policy: MinorPolicy): Decision {
  const at = request.at.getTime();
  const recipient = orgLabel(request.recipient);
  const from = request.source !== undefined ? ` from ${orgLabel(request.source)}` : '';
  const age = ageAt(request.participant.birthDate, request.at);
  // NaN (unreadable birth date) counts as a minor: a bad date may only ask for more signatures.
  const minor = !(age >= policy.adultAge);
  const minorAlone = minor ? selfConsentMask(policy, age) : ALL_CATEGORIES;

  let permitted = 0;
  let vetoed = 0;
  let reached = 0; // categories some in-force basis would permit before signatures: sharpens "no basis" reasons
  // Which bases permitted what, as (id, mask) pairs: per-category id lists are built only for the
  // categories finally allowed, which keeps allocation off the per-basis path.
  const permitterIds: string[] = [];
  const permitterMasks: number[] = [];
  const why: Why = { rank: new Array<number>(CATEGORY_COUNT).fill(0), basis: new Array(CATEGORY_COUNT), guardianMissing: new Array(CATEGORY_COUNT) };

  for (const basis of bases) {
    // A basis of another participant is a caller bug; it must never open this participant's data.
    if (basis.participantId !== request.participant.id) continue;
    const outcome = evaluateTree(basis.provision, request, at);
    if (outcome === 0) continue;
    const permit = permitOf(outcome);
    const deny = denyOf(outcome);

    if (!inForce(basis, at)) {
      // Only where it would have mattered: a revoked housing consent says nothing about a clinic.
      note(why, permit, Rank.Inactive, basis);
      continue;
    }
    if (deny !== 0) {
      // An explicit deny beats a permit from any basis (FHIR R4 Consent semantics; docs/consent.md).
      vetoed |= deny;
      note(why, deny, Rank.ExplicitDeny, basis);
    }
    reached |= permit;

    let signed = permit;
    if (basis.basis === 'consent') {
      // A consent is the participant's written consent (42 CFR 2.31(a)(8)); a minor's also needs a
      // guardian's unless policy lets the minor consent alone to that category (42 CFR 2.14).
      let participant = false;
      let guardian = false;
      for (const s of basis.signatures) {
        if (s.signer === 'participant') participant = true;
        else if (s.signer === 'guardian') guardian = true;
      }
      const valid = !participant ? 0 : minor && !guardian ? minorAlone : ALL_CATEGORIES;
      const missing = permit & ~valid;
      if (missing !== 0) note(why, missing, Rank.Unsigned, basis, participant);
      signed &= valid;
    }
    if (signed === 0) continue;
    permitted |= signed;
    permitterIds.push(basis.id);
    permitterMasks.push(signed);
  }

  const allowed = permitted & ~vetoed;
  const purpose = PURPOSE_LABEL[request.purpose] ?? request.purpose;
  const decision: Decision = { request, permitted: [], denied: [], bases: {}, obligations: [] };
  for (let i = 0; i < CATEGORY_COUNT; i++) {
    const category = DATA_CATEGORIES[i] as DataCategory;
    if ((allowed & (1 << i)) !== 0) {
      decision.permitted.push(category);
      const ids: string[] = [];
      for (let b = 0; b < permitterIds.length; b++) if (((permitterMasks[b] as number) & (1 << i)) !== 0) ids.push(permitterIds[b] as string);
      decision.bases[category] = sorted(ids);
      continue;
    }
    const basis = why.basis[i];
    const reason =
      basis !== undefined
        ? explain(why.rank[i] as Rank, basis, category, why.guardianMissing[i] === true, at, from, recipient, guardianWords(request))
        : reached !== 0
          ? `no active basis permits ${category}${from} to ${recipient} for ${purpose}`
          : `no active basis names ${recipient} for ${purpose}${from !== '' ? ` with data${from}` : ''}`;
    decision.denied.push({ category, reason });
  }
  if ((allowed & SUBSTANCE_USE) !== 0) decision.obligations.push(part2Notice());
  return decision;
}

/** "the guardian (Maria Rivera)" when the caller knows the guardians, else "the guardian". */
function guardianWords(request: DecisionRequest): string {
  const names = request.participant.guardians;
  return names !== undefined && names.length > 0 ? `the guardian (${names.join(' or ')})` : 'the guardian';
}

/** Sorted ids, whatever order the bases came in; skips the sort when they already are (ORDER BY id). */
function sorted(ids: string[]): string[] {
  for (let i = 1; i < ids.length; i++) if ((ids[i - 1] as string) > (ids[i] as string)) return ids.sort();
  return ids;
}

/** 42 CFR 2.32: every disclosure of Part 2 records carries the redisclosure notice. A fresh object per decision. */
function part2Notice(): Obligation {
  return { code: PART2_NOTICE_CODE, text: PART2_REDISCLOSURE_NOTICE };
}
