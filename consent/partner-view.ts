import type { PartnerReferralView } from '../schemas/referral.js';
import type { CancelledReferralView, SlaBreachView } from './disclosed.js';
import type { CaseFile } from '../schemas/case-file.js';
import { DATA_CATEGORIES, type DataCategory } from '../schemas/vocabulary.js';
import type { Disclosed, ProjectedCaseFile } from './disclosed.js';
import { project } from './project.js';
import type { Decision } from './types.js';

/** The referral facts a partner sees beside the projected case file: ids, codes and times, no free text. */
export type ReferralHeader = Omit<PartnerReferralView, 'caseFile' | 'withheld' | 'notices' | 'reason'>;

/**
 * What the partner may see when it may not know who the participant is. Nothing about a person
 * goes to a recipient that may not see their identity: after a revocation of `identity` the
 * partner keeps only ids, status and the withheld count (delivery waits for the same reason).
 */
function withoutIdentity(decision: Decision): Decision {
  if (decision.permitted.includes('identity')) return decision;
  const identity = decision.denied.find((d) => d.category === 'identity')?.reason ?? 'identity is not permitted';
  return {
    ...decision,
    permitted: [],
    bases: {},
    denied: [
      ...decision.denied,
      ...decision.permitted.map((category) => ({ category, reason: `nothing about the participant is disclosed without identity (${identity})` })),
    ],
  };
}

/** The categories a partner read or delivery may decrypt at all under `decision`. */
export function partnerCategories(decision: Decision): Decision['permitted'] {
  return withoutIdentity(decision).permitted;
}

/**
 * The partner's view of a referral: the header, and the case file and reason as projected under
 * the decision. This is the only way a partner-bound view is built, so the brand still proves
 * that every piece of case data in it went through `project()`.
 */
export function partnerView(
  header: ReferralHeader,
  content: { caseFile: CaseFile; reason: string },
  decision: Decision,
): { view: Disclosed<PartnerReferralView>; projected: Disclosed<ProjectedCaseFile> } {
  const projected = project(content.caseFile, withoutIdentity(decision), { reason: content.reason });
  const view: PartnerReferralView = {
    ...header,
    ...(projected.reason !== undefined ? { reason: projected.reason } : {}),
    caseFile: projected.caseFile,
    withheld: projected.withheld,
    notices: projected.notices,
  };
  return { view: view as Disclosed<PartnerReferralView>, projected };
}

/** One piece of a referral's content, and whether the partner's view holds it. */
export interface SharedOrWithheld {
  part: 'reason' | 'section' | 'note';
  category: DataCategory;
  /** The note's place in `caseFile.notes`. */
  index?: number;
  shared: boolean;
  /** For a withheld piece: the decision's own reason (a compliance officer's sentence, never case data). */
  why?: string;
}

/**
 * Piece by piece, what `projected` (from `partnerView` under `decision`) let through of `content`,
 * and why the rest was withheld: for the referrer, who may know what it wrote and which
 * categories consent denies (the partner is never told which). Read off the projection's output,
 * never decided again: a category is among `projected.categories` exactly when what the file
 * holds of it was disclosed, since the projection lets a category through whole or not at all.
 */
export function sharedOrWithheld(content: { caseFile: CaseFile; reason: string }, decision: Decision, projected: ProjectedCaseFile): SharedOrWithheld[] {
  const effective = withoutIdentity(decision);
  const why = (category: DataCategory) => effective.denied.find((d) => d.category === category)?.reason ?? `no basis permits ${category}`;
  const piece = (part: SharedOrWithheld['part'], category: DataCategory, shared: boolean, index?: number): SharedOrWithheld => ({
    part, category, ...(index !== undefined ? { index } : {}), shared, ...(shared ? {} : { why: why(category) }),
  });
  const out: SharedOrWithheld[] = [piece('reason', 'identity', projected.reason !== undefined)];
  for (const category of DATA_CATEGORIES) {
    if (content.caseFile[category] !== undefined) out.push(piece('section', category, projected.caseFile[category] !== undefined));
  }
  (content.caseFile.notes ?? []).forEach((n, i) => out.push(piece('note', n.category, projected.categories.includes(n.category), i)));
  return out;
}

/** A cancellation carries no case data at all, so there is nothing to project. */
export function cancellationNotice(referralId: string): Disclosed<CancelledReferralView> {
  return { id: referralId, status: 'cancelled' } as Disclosed<CancelledReferralView>;
}

/**
 * An SLA breach notice to the referring organisation carries no case data either: hub ids, which
 * timer and its deadline, and the status the referrer may see — worked out by the same function
 * as the referrer's timeline (`referrerSight`), so a Part 2 program's own reports stay withheld
 * (42 CFR 2.35).
 */
export function slaBreachNotice(notice: SlaBreachView): Disclosed<SlaBreachView> {
  const { id, status, partnerId, sla, deadline } = notice;
  return { id, status, partnerId, sla, deadline } as Disclosed<SlaBreachView>;
}
