import { randomUUID } from 'node:crypto';
import type { Annotation, Bundle, BundleEntry, DocumentReference, Organization, Patient, Reference, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Disclosed } from '../../consent/disclosed.js';
import { PART2_NOTICE_CODE } from '../../consent/index.js';
import { DATA_CATEGORIES, type DataCategory } from '../../schemas/vocabulary.js';
import type { DeliveryContext, PartnerReferralView } from '../types.js';
import {
  categoryCoding, FHIR_GENDER, ORGANIZATION_SYSTEM, PARTICIPANT_SYSTEM, PART2_CATEGORIES, PART2_SECURITY_LABELS, REFERRAL_SYSTEM, serviceCategory,
  TASK_CODE_SYSTEM,
} from './codes.js';

/**
 * Pure mapping from the partner's `Disclosed` view of a referral to FHIR R4 resources (Gravity
 * SDOH closed-loop referral: a ServiceRequest, and a Task whose `focus` is it). Every value
 * written comes from the disclosed view or from the delivery context (opaque ids and
 * organisation names); nothing else is in scope here, so nothing else can leak.
 */

export interface ReferralResources {
  patient: Patient;
  serviceRequest: ServiceRequest;
  task: Task;
  /** Search strings for the conditional creates (`If-None-Exist`). */
  conditions: { patient: string; serviceRequest: string; task: string };
}

const token = (system: string, value: string) => `identifier=${encodeURIComponent(system)}|${encodeURIComponent(value)}`;

export const referralIdentifier = (referralId: string) => ({ system: REFERRAL_SYSTEM, value: referralId });
export const referralSearch = (referralId: string) => `${REFERRAL_SYSTEM}|${referralId}`;

const orgReference = (org: { id: string; name: string }): Reference<Organization> => ({
  type: 'Organization',
  identifier: { system: ORGANIZATION_SYSTEM, value: org.id },
  display: org.name,
});

type Section = Record<string, unknown>;

/** Patient from the disclosed `identity`, `contact` and `demographics` sections only. */
export function patientFrom(view: Disclosed<PartnerReferralView>, subjectRef: string): Patient {
  const { identity, contact, demographics } = view.caseFile;
  const patient: Patient = { resourceType: 'Patient', identifier: [{ system: PARTICIPANT_SYSTEM, value: subjectRef }] };
  if (identity) {
    for (const id of identity.identifiers ?? []) patient.identifier!.push({ system: id.system, value: id.value });
    patient.name = [{ use: 'official', family: identity.name.family, given: [...identity.name.given] }];
    patient.birthDate = identity.birthDate;
  }
  if (contact) {
    const telecom = [];
    if (typeof contact.phone === 'string') telecom.push({ system: 'phone' as const, value: contact.phone });
    if (typeof contact.email === 'string') telecom.push({ system: 'email' as const, value: contact.email });
    if (telecom.length > 0) patient.telecom = telecom;
    if (contact.address) {
      const a = contact.address;
      patient.address = [{ line: [a.line], city: a.city, state: a.state, postalCode: a.postalCode }];
    }
  }
  const gender = typeof (demographics as Section | undefined)?.gender === 'string' ? FHIR_GENDER[(demographics as Section).gender as string] : undefined;
  if (gender) patient.gender = gender;
  return patient;
}

/**
 * Each disclosed category (its section and its notes) becomes one contained DocumentReference:
 * `type` names the category, the attachment holds `{section, notes}` as JSON, and Part 2 data
 * carries the ETH/R/NORDSCLCD labels and the redisclosure notice.
 */
function categoryDocuments(view: Disclosed<PartnerReferralView>, part2Notice: string | undefined): DocumentReference[] {
  const docs: DocumentReference[] = [];
  const notes = view.caseFile.notes ?? [];
  for (const category of DATA_CATEGORIES) {
    const section = view.caseFile[category];
    const categoryNotes = notes.filter((n) => n.category === category).map((n) => n.text);
    if (section === undefined && categoryNotes.length === 0) continue;
    const part2 = PART2_CATEGORIES.includes(category);
    const content = { category, ...(section !== undefined ? { section } : {}), ...(categoryNotes.length ? { notes: categoryNotes } : {}) };
    docs.push({
      resourceType: 'DocumentReference',
      id: `case-file-${category.replace('_', '-')}`,
      ...(part2 ? { meta: { security: PART2_SECURITY_LABELS } } : {}),
      status: 'current',
      type: { coding: [categoryCoding(category)], text: `Case file: ${category.replace('_', ' ')}` },
      category: [{ coding: [categoryCoding(category)] }],
      ...(part2 && part2Notice ? { description: part2Notice } : {}),
      content: [{ attachment: { contentType: 'application/json', title: `${category}.json`, data: Buffer.from(JSON.stringify(content)).toString('base64') } }],
    });
  }
  return docs;
}

function disclosedCategories(view: Disclosed<PartnerReferralView>): DataCategory[] {
  return DATA_CATEGORIES.filter((c) => view.caseFile[c] !== undefined || (view.caseFile.notes ?? []).some((n) => n.category === c));
}

export function serviceRequestFrom(view: Disclosed<PartnerReferralView>, context: DeliveryContext, patientRef: string): ServiceRequest {
  const part2Notice = view.notices.find((n) => n.code === PART2_NOTICE_CODE);
  const docs = categoryDocuments(view, part2Notice?.text);
  const part2 = disclosedCategories(view).some((c) => PART2_CATEGORIES.includes(c));
  const note: Annotation[] = [];
  // 42 CFR 2.32: every disclosure of Part 2 data carries the redisclosure notice; so do any other notices.
  for (const n of view.notices) note.push({ authorString: 'Referral hub', text: `${n.code}: ${n.text}` });
  // Counted, never named: a category's name can itself reveal a diagnosis.
  if (view.withheld.count > 0) note.push({ authorString: 'Referral hub', text: `${view.withheld.notice} (${view.withheld.count} item(s) withheld)` });
  return {
    resourceType: 'ServiceRequest',
    // The container holds Part 2 data, so it carries the labels too (high-water mark).
    ...(part2 ? { meta: { security: PART2_SECURITY_LABELS } } : {}),
    identifier: [referralIdentifier(view.id)],
    status: 'active',
    intent: 'order',
    priority: view.priority,
    category: [serviceCategory(view.service)],
    code: { text: `Referral: ${serviceCategory(view.service).text}` },
    subject: { reference: patientRef },
    authoredOn: view.createdAt,
    requester: orgReference(context.referrer),
    performer: [orgReference(context.partner)],
    // Free text about the participant: present in the view only while identity is permitted.
    ...(view.reason !== undefined ? { reasonCode: [{ text: view.reason }] } : {}),
    ...(docs.length ? { contained: docs, supportingInfo: docs.map((d) => ({ reference: `#${d.id}`, display: d.type?.text })) } : {}),
    ...(note.length ? { note } : {}),
  };
}

export function taskFrom(view: Disclosed<PartnerReferralView>, context: DeliveryContext, patientRef: string, serviceRequestRef: string): Task {
  return {
    resourceType: 'Task',
    identifier: [referralIdentifier(view.id)],
    status: 'requested',
    intent: 'order',
    priority: view.priority,
    code: { coding: [{ system: TASK_CODE_SYSTEM, code: 'fulfill', display: 'Fulfill the focal request' }] },
    focus: { reference: serviceRequestRef },
    for: { reference: patientRef },
    authoredOn: view.createdAt,
    requester: orgReference(context.referrer),
    owner: orgReference(context.partner),
  };
}

/** The three resources, referencing each other through `patientRef`/`serviceRequestRef`. */
export function referralResources(view: Disclosed<PartnerReferralView>, context: DeliveryContext, refs: { patient: string; serviceRequest: string }): ReferralResources {
  return {
    patient: patientFrom(view, context.subjectRef),
    serviceRequest: serviceRequestFrom(view, context, refs.patient),
    task: taskFrom(view, context, refs.patient, refs.serviceRequest),
    conditions: {
      patient: token(PARTICIPANT_SYSTEM, context.subjectRef),
      serviceRequest: token(REFERRAL_SYSTEM, view.id),
      task: token(REFERRAL_SYSTEM, view.id),
    },
  };
}

/**
 * One transaction Bundle of three conditional creates. Retried after a lost answer, each create
 * finds what the first attempt made (`If-None-Exist` on the hub's identifiers), so a retry or a
 * restart never makes a second copy; the `urn:uuid` references resolve to the existing resources.
 */
export function referralTransaction(view: Disclosed<PartnerReferralView>, context: DeliveryContext): Bundle {
  const ids = { patient: `urn:uuid:${randomUUID()}`, serviceRequest: `urn:uuid:${randomUUID()}`, task: `urn:uuid:${randomUUID()}` };
  const r = referralResources(view, context, ids);
  const entry = (fullUrl: string, resource: Patient | ServiceRequest | Task, ifNoneExist: string): BundleEntry => ({
    fullUrl,
    resource,
    request: { method: 'POST', url: resource.resourceType, ifNoneExist },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [entry(ids.patient, r.patient, r.conditions.patient), entry(ids.serviceRequest, r.serviceRequest, r.conditions.serviceRequest), entry(ids.task, r.task, r.conditions.task)],
  };
}
