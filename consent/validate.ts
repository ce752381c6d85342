import type { BasisKind, DataCategory } from '../schemas/vocabulary.js';
import { DEFAULT_MINOR_POLICY, ageAt } from './decide.js';
import { ALL_CATEGORIES, categoryBit, categoryMask } from './evaluate.js';
import type { MinorPolicy, Period, Provision, Signature } from './types.js';

/** One reason a consent cannot be recorded: the API answers these as a 422 `errors` list. */
export interface Problem {
  path: string;
  message: string;
}

export interface SignatureInput {
  basis: BasisKind;
  signatures?: readonly Signature[] | undefined;
  documentRef?: string | undefined;
}

/** Optional: who the participant is, so a minor's consent can be checked for the guardian's signature. */
export interface MinorContext {
  birthDate: string;
  /** When the consent is recorded. */
  at: Date;
  provision: Provision;
  policy?: MinorPolicy | undefined;
}

/**
 * The signatures and documents a basis needs before it may be recorded (docs/api.md: a `consent` basis
 * without the signatures it needs is a 422). `decide` re-checks at every decision, so a consent
 * that slips through still permits nothing it should not.
 */
export function signatureProblems(input: SignatureInput, minor?: MinorContext): Problem[] {
  const problems: Problem[] = [];
  const signatures = input.signatures ?? [];
  if (input.basis === 'consent') {
    // 42 CFR 2.31(a)(8): written consent signed by the patient.
    if (!signatures.some((s) => s.signer === 'participant')) {
      problems.push({ path: 'signatures', message: "a consent needs the participant's signature" });
    } else if (minor !== undefined && !signatures.some((s) => s.signer === 'guardian')) {
      const policy = minor.policy ?? DEFAULT_MINOR_POLICY;
      const age = ageAt(minor.birthDate, minor.at);
      if (!(age >= policy.adultAge) && reachesBeyondSelfConsent(minor.provision, policy, age)) {
        problems.push({
          path: 'signatures',
          message: "the participant is a minor: this consent also needs a parent's or legal guardian's signature",
        });
      }
    }
  } else if (input.documentRef === undefined || input.documentRef.trim() === '') {
    // A court order or statute is only a basis if the record says which one.
    const what = input.basis === 'court_order' ? 'the court order' : 'the statute';
    problems.push({ path: 'documentRef', message: `a ${input.basis.replace('_', ' ')} basis must reference ${what}` });
  }
  return problems;
}

/** Does any permit in the tree reach a category the minor may not consent to alone? */
function reachesBeyondSelfConsent(provision: Provision, policy: MinorPolicy, age: number): boolean {
  let alone = 0;
  for (const [category, from] of Object.entries(policy.selfConsentFromAge)) {
    if (from !== undefined && age >= from) alone |= categoryBit(category as DataCategory);
  }
  let beyond = false;
  walk(provision, TOP, (node, reach) => {
    if (node.type === 'permit' && (reach.scope & ~alone) !== 0) beyond = true;
  });
  return beyond;
}

/** What a node inherits from its ancestors: a child applies only where its parent's conditions hold. */
interface Reach {
  scope: number; // categories it can reach
  named: boolean; // it or an ancestor names a recipient organisation
  purposed: boolean; // it or an ancestor limits the purpose
}

function walk(node: Provision, from: Reach, visit: (node: Provision, reach: Reach) => void): void {
  const reach: Reach = {
    scope: from.scope & categoryMask(node.categories),
    named: from.named || (node.actors ?? []).some((a) => (a.role ?? 'recipient') === 'recipient' && a.organizationId !== undefined),
    purposed: from.purposed || node.purposes !== undefined,
  };
  visit(node, reach);
  for (const kid of node.provisions ?? []) walk(kid, reach, visit);
}

const TOP: Reach = { scope: ALL_CATEGORIES, named: false, purposed: false };

const SUBSTANCE_USE = categoryBit('substance_use');

/** Categories an unconditional child deny takes out of a permit ("permit all except substance_use"). */
function exceptedOut(node: Provision): number {
  let out = 0;
  for (const kid of node.provisions ?? []) {
    if (kid.type === 'deny' && kid.actors === undefined && kid.purposes === undefined && kid.period === undefined) out |= categoryMask(kid.categories);
  }
  return out;
}

/**
 * What a compliance officer should look at before relying on a consent. Warnings, not errors:
 * the consent is recorded and `decide` applies it as written.
 */
export function consentWarnings(provision: Provision, period?: Period): string[] {
  const warnings = new Set<string>();
  let part2 = false;
  walk(provision, TOP, (node, { scope, named, purposed }) => {
    for (const list of ['purposes', 'categories'] as const) {
      if (node[list]?.length === 0) warnings.add(`a provision lists no ${list}, so it matches nothing (omit the list to match all)`);
    }
    if ((node.actors ?? []).some((a) => a.organizationId === undefined && a.organizationKind === undefined)) {
      warnings.add('an actor names neither an organisation nor a kind of organisation, so it matches no one');
    }
    if (node.type !== 'permit' || (scope & ~exceptedOut(node) & SUBSTANCE_USE) === 0) return;
    part2 = true;
    if (!named) {
      warnings.add(
        'a permit reaches substance_use without naming its recipient organisation: ' +
          '42 CFR Part 2 (§ 2.31(a)(4)) expects a consent to disclose substance-use records to name the recipient',
      );
    }
    if (!purposed) {
      warnings.add('a permit reaches substance_use for any purpose: 42 CFR 2.31(a)(5) expects the consent to state the purpose of the disclosure');
    }
  });
  if (part2 && period !== undefined && period.end === undefined) {
    warnings.add('this consent permits substance_use with no end date: 42 CFR 2.31(a)(7) expects an expiration date, event or condition');
  }
  return [...warnings];
}
