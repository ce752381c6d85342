import type { CaseFile } from '../schemas/case-file.js';
import type { SlaKind } from '../domain/sla.js';
import type { ReferralStatus } from '../schemas/vocabulary.js';
import type { Obligation } from './types.js';

/**
 * A value that left the consent projection. The brand is a module-private symbol, so only
 * `project()` can produce one: adapters and partner-facing routes accept `Disclosed<...>` and a
 * bypass is a type error rather than a code-review catch.
 */
declare const disclosedBrand: unique symbol;
export type Disclosed<T> = T & { readonly [disclosedBrand]: true };

export interface ProjectedCaseFile {
  caseFile: Partial<CaseFile>;
  /** The referral's free-text reason, only where `identity` is permitted (see project()). */
  reason?: string;
  /** How many sections and notes were left out, never which: a category's name can reveal a diagnosis. */
  withheld: { count: number; notice: string };
  notices: Obligation[];
  /** Categories actually disclosed (for the accounting of disclosures). */
  categories: string[];
  basisIds: string[];
}

/** The shapes of the data-free messages (cancellation, SLA notice): still `Disclosed`, so adapters take only what consent/ minted. */
export interface CancelledReferralView {
  id: string;
  status: 'cancelled';
}

/**
 * What the referring organisation hears when a partner misses a service-level timer: hub ids, the
 * status the referrer may see, which timer and its deadline. No case data.
 */
export interface SlaBreachView {
  id: string;
  status: ReferralStatus;
  partnerId: string;
  sla: SlaKind;
  deadline: string;
}
