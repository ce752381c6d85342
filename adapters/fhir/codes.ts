import type { Coding } from '@medplum/fhirtypes';
import type { DataCategory, Service } from '../../schemas/vocabulary.js';

/**
 * Systems and codes the hub writes on a partner's FHIR server. The mapping tables live here, as
 * data, and docs/fhir.md describes them; change both together.
 */

/** `Task.identifier` and `ServiceRequest.identifier`: the hub's referral id. */
export const REFERRAL_SYSTEM = 'urn:referral-hub:referral';
/** `Patient.identifier`: the hub's participant id. */
export const PARTICIPANT_SYSTEM = 'urn:referral-hub:participant';
/** Logical references to organisations (`ServiceRequest.requester`, `Task.owner`): the hub's organisation id. */
export const ORGANIZATION_SYSTEM = 'urn:referral-hub:organization';
/** The hub's case-file categories, the same system the FHIR Consent mapping reads (docs/api.md). */
export const CATEGORY_SYSTEM = 'urn:referral-hub:data-category';
/** The hub's service vocabulary (`ServiceRequest.category`). */
export const SERVICE_SYSTEM = 'urn:referral-hub:service';

const SDOHCC = 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const TASK_CODE_SYSTEM = 'http://hl7.org/fhir/CodeSystem/task-code';

const SERVICE_DISPLAY: Record<Service, string> = {
  mental_health: 'Mental health services',
  substance_use: 'Substance use treatment',
  housing: 'Housing',
  employment: 'Employment',
  education: 'Education',
  medical: 'Medical care',
  peer_support: 'Peer support',
  family: 'Family services',
  benefits: 'Benefits',
  legal: 'Legal services',
  transportation: 'Transportation',
  other: 'Other services',
};

/**
 * The Gravity SDOH Clinical Care category for services that have one. Clinical services
 * (mental health, substance use, medical) carry only the hub's own code: the partner's EHR maps
 * them to its service catalogue.
 */
const SDOH_CATEGORY: Partial<Record<Service, { code: string; display: string }>> = {
  housing: { code: 'housing-instability', display: 'Housing Instability' },
  employment: { code: 'employment-status', display: 'Employment Status' },
  education: { code: 'educational-attainment', display: 'Educational Attainment' },
  transportation: { code: 'transportation-insecurity', display: 'Transportation Insecurity' },
  benefits: { code: 'financial-insecurity', display: 'Financial Insecurity' },
};

export function serviceCategory(service: Service): { coding: Coding[]; text: string } {
  const coding: Coding[] = [{ system: SERVICE_SYSTEM, code: service, display: SERVICE_DISPLAY[service] }];
  const sdoh = SDOH_CATEGORY[service];
  if (sdoh) coding.push({ system: SDOHCC, ...sdoh });
  return { coding, text: SERVICE_DISPLAY[service] };
}

export const categoryCoding = (category: DataCategory): Coding => ({ system: CATEGORY_SYSTEM, code: category, display: category.replace('_', ' ') });

/**
 * Security labels for 42 CFR Part 2 data (HL7 Healthcare Privacy and Security Classification):
 * `ETH` (substance abuse information sensitivity), confidentiality `R` (restricted) and the
 * refrain policy `NORDSCLCD` (no redisclosure without the patient's consent), which is what
 * 42 CFR 2.32's notice says in words.
 */
export const PART2_SECURITY_LABELS: Coding[] = [
  { system: ACT_CODE, code: 'ETH', display: 'substance abuse information sensitivity' },
  { system: CONFIDENTIALITY, code: 'R', display: 'restricted' },
  { system: ACT_CODE, code: 'NORDSCLCD', display: 'no redisclosure without consent directive' },
];

/** Categories whose data is 42 CFR Part 2 data. */
export const PART2_CATEGORIES: readonly DataCategory[] = ['substance_use'];

export const FHIR_GENDER: Record<string, 'male' | 'female' | 'other' | 'unknown'> = {
  male: 'male',
  female: 'female',
  nonbinary: 'other',
  other: 'other',
  undisclosed: 'unknown',
  unknown: 'unknown',
};
