import { DATA_CATEGORIES, ORGANIZATION_KINDS, PURPOSES, type DataCategory, type Purpose } from '../../schemas/vocabulary.js';

/**
 * The code systems, codes and extensions of the FHIR R4 Consent mapping, shared by the reader
 * (read.ts, FHIR -> hub) and the writer (write.ts, hub -> FHIR). The full table is in
 * docs/consent-fhir-mapping.md.
 */

export const FHIR_SYSTEM = {
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  actReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  consentAction: 'http://terminology.hl7.org/CodeSystem/consentaction',
  loinc: 'http://loinc.org',
  /** docs/api.md: the hub's data categories, the category name as code. */
  dataCategory: 'urn:referral-hub:data-category',
  /** The hub's basis kinds (consent, court_order, statute) in `category` and `policyRule`. */
  basis: 'urn:referral-hub:basis',
} as const;

/** On a provision actor: limits the actor to organisations of one kind (valueCode: an OrganizationKind). */
export const ORGANIZATION_KIND_EXTENSION = 'https://referral-hub.dev/fhir/StructureDefinition/organization-kind';
/** Informational, on `sourceAttachment`/`sourceReference` or a `verification`: how the signature was given. */
export const SIGNATURE_METHOD_EXTENSION = 'https://referral-hub.dev/fhir/StructureDefinition/signature-method';
/** Informational, on a `verification`: the guardian's relationship to the participant. */
export const SIGNER_RELATIONSHIP_EXTENSION = 'https://referral-hub.dev/fhir/StructureDefinition/signer-relationship';

/** A FHIR period without a start is open towards the past; the hub's Period needs one, so this stands for "always". */
export const OPEN_START = '0001-01-01T00:00:00Z';

// The purpose, role and category codes are fixed by the public API; the writer uses the first code listed.
export const PURPOSE_CODES: Readonly<Record<Purpose, { code: string; display: string }>> = {
  treatment: { code: 'TREAT', display: 'treatment' },
  care_coordination: { code: 'CAREMGT', display: 'care management' },
  payment: { code: 'HPAYMT', display: 'healthcare payment' },
  court_reporting: { code: 'HLEGAL', display: 'legal' },
};
export const PURPOSE_BY_CODE: ReadonlyMap<string, Purpose> = new Map(PURPOSES.map((p) => [PURPOSE_CODES[p].code, p]));

export const ROLE_BY_CODE: ReadonlyMap<string, 'recipient' | 'source'> = new Map([
  ['IRCP', 'recipient'],
  ['PRCP', 'recipient'],
  ['CST', 'source'],
]);
export const ROLE_CODES = { recipient: { code: 'IRCP', display: 'information recipient' }, source: { code: 'CST', display: 'custodian' } } as const;

/** HL7 sensitivity codes (v3-ActCode) the hub understands as categories. */
export const SENSITIVITY: ReadonlyMap<string, DataCategory> = new Map([
  ['ETH', 'substance_use'],
  ['SUD', 'substance_use'],
  ['PSY', 'mental_health'],
  ['MH', 'mental_health'],
]);
export const CATEGORY_SET: ReadonlySet<string> = new Set(DATA_CATEGORIES);
export const KIND_SET: ReadonlySet<string> = new Set(ORGANIZATION_KINDS);
export const METHODS: ReadonlySet<string> = new Set(['electronic', 'wet', 'verbal_witnessed']);

export const SOURCE_REFERENCE = /^(Consent|DocumentReference|Contract|QuestionnaireResponse)\/[A-Za-z0-9\-.]{1,64}$/;
export const URI_WITH_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
