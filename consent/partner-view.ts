import type { CancelledReferralView, PartnerReferralView, SlaBreachView } from '../adapters/types.js';
import type { Disclosed, ProjectedCaseFile } from './disclosed.js';

/** The referral facts a partner sees beside the projected case file (no case data here). */
export type ReferralHeader = Omit<PartnerReferralView, 'caseFile' | 'withheld' | 'notices'>;

/**
 * Wraps a projection into the partner's view of a referral. It takes an already `Disclosed`
 * projection, so the brand still proves that the case file went through `project()`.
 */
export function partnerView(header: ReferralHeader, projected: Disclosed<ProjectedCaseFile>): Disclosed<PartnerReferralView> {
  const view: PartnerReferralView = {
    ...header,
    caseFile: projected.caseFile,
    withheld: projected.withheld,
    notices: projected.notices,
  };
  return view as Disclosed<PartnerReferralView>;
}

/** A cancellation carries no case data at all, so there is nothing to project. */
export function cancellationNotice(referralId: string): Disclosed<CancelledReferralView> {
  return { id: referralId, status: 'cancelled' } as Disclosed<CancelledReferralView>;
}

/**
 * An SLA breach notice to the referring organisation carries no case data either: hub ids, which
 * timer and its deadline, and the status the referrer may already see (the sweep works it out so
 * that a Part 2 program's own reports stay withheld, 42 CFR 2.35).
 */
export function slaBreachNotice(notice: SlaBreachView): Disclosed<SlaBreachView> {
  const { id, status, partnerId, sla, deadline } = notice;
  return { id, status, partnerId, sla, deadline } as Disclosed<SlaBreachView>;
}
