import type { Irrevocability, Period } from '../schemas/consent.js';
import type { BasisKind } from '../schemas/vocabulary.js';
import type { Problem } from './validate.js';

/**
 * When a basis may be revoked. 42 CFR 2.31(a)(6): a consent is revocable at any time, except
 * that a § 2.35 criminal-justice consent (a Part 2 program reporting to the agency that referred
 * the participant) may be irrevocable until a stated event. The service refuses a revocation
 * with `revocationRefusal`'s words; the console shows the same words before anyone tries.
 */

export interface Revocable {
  status: 'active' | 'revoked' | 'expired';
  period: Period;
  irrevocable?: Irrevocability | undefined;
}

/** Until when an irrevocable basis stays so: its own date, else the end of its period. */
export function irrevocableUntil(consent: Pick<Revocable, 'period' | 'irrevocable'>): string | undefined {
  return consent.irrevocable?.until ?? consent.period.end;
}

/** Why the basis cannot be revoked at `at`, in words, or undefined when it can. */
export function revocationRefusal(consent: Revocable, at: Date): { code: 'already_revoked' | 'irrevocable'; message: string } | undefined {
  if (consent.status === 'revoked') return { code: 'already_revoked', message: 'this consent is already revoked' };
  if (!consent.irrevocable) return undefined;
  // An ended consent permits nothing any more: marking it revoked changes no decision.
  if (consent.status === 'expired' || (consent.period.end !== undefined && Date.parse(consent.period.end) <= at.getTime())) return undefined;
  const until = irrevocableUntil(consent);
  if (until !== undefined && Date.parse(until) <= at.getTime()) return undefined;
  return {
    code: 'irrevocable',
    message:
      `this is a criminal-justice consent under 42 CFR 2.35, which the participant agreed may not be revoked until ${consent.irrevocable.event}` +
      `${until ? ` (at the latest ${until.slice(0, 10)})` : ''}; it cannot be revoked before then`,
  };
}

/** What an irrevocable basis must say before it may be recorded. */
export function irrevocabilityProblems(input: { basis: BasisKind; period: Period; irrevocable?: Irrevocability | undefined }): Problem[] {
  if (!input.irrevocable) return [];
  const problems: Problem[] = [];
  if (input.basis !== 'consent') {
    problems.push({ path: 'irrevocable', message: 'only a consent signed by the participant can be irrevocable (42 CFR 2.35); a court order or statute is not revoked by the participant' });
  }
  const until = irrevocableUntil(input);
  if (until === undefined) {
    problems.push({ path: 'irrevocable.until', message: 'an irrevocable consent needs a date from which it can be revoked, or an end date: 42 CFR 2.35 allows it only until a stated event, never for good' });
  } else if (Date.parse(until) <= Date.parse(input.period.start)) {
    problems.push({ path: 'irrevocable.until', message: 'the date from which it can be revoked must be after the consent starts' });
  }
  return problems;
}
