import type { PartnerReferralView } from '../schemas/referral.js';
import type { CancelledReferralView, SlaBreachView } from './disclosed.js';
import type { CaseFile } from '../schemas/case-file.js';
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
