import type { CaseFile } from '../schemas/case-file.js';
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
