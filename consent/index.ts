/** The consent engine's public surface: pure functions, no I/O (docs/architecture.md, "Consent engine"). */
export { decide, DEFAULT_MINOR_POLICY, ageAt } from './decide.js';
export { project } from './project.js';
export { signatureProblems, consentWarnings } from './validate.js';
export type { Problem, SignatureInput, MinorContext } from './validate.js';
export { revocationRefusal, irrevocabilityProblems, irrevocableUntil } from './revocation.js';
export { PART2_REDISCLOSURE_NOTICE, PART2_NOTICE_CODE, WITHHELD_NOTICE } from './notices.js';
export type { Disclosed, ProjectedCaseFile } from './disclosed.js';
export type * from './types.js';
export { partnerView, partnerCategories, cancellationNotice, slaBreachNotice, sharedOrWithheld, type SharedOrWithheld } from './partner-view.js';
export type { ReferralHeader } from './partner-view.js';
export { referrerSight, needsReverseDecision } from './referrer-sight.js';
export type { ReferrerSight, ReportedEvent, TimelineItem, PartnerRef } from './referrer-sight.js';
export { fromFhirConsent } from './fhir/read.js';
export { toFhirConsent } from './fhir/write.js';
export { FHIR_SYSTEM } from './fhir/codes.js';
export type { FromFhirResult } from './fhir/read.js';
export type { ExportableConsent } from './fhir/write.js';
