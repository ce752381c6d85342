import type {
  Attachment,
  CodeableConcept,
  Coding,
  Consent,
  ConsentProvision,
  ConsentProvisionActor,
  ConsentVerification,
  Extension,
  Period as FhirPeriod,
} from '@medplum/fhirtypes';
import type { BasisKind } from '../../schemas/vocabulary.js';
import type { Basis, Period, Provision, ProvisionActor, Signature } from '../types.js';
import { CATEGORY_SET, FHIR_SYSTEM, OPEN_START, ORGANIZATION_KIND_EXTENSION, PURPOSE_CODES, ROLE_CODES, SIGNATURE_METHOD_EXTENSION, SIGNER_RELATIONSHIP_EXTENSION, SOURCE_REFERENCE, URI_WITH_SCHEME } from './codes.js';
import { actorCanMatch, matchesNothing } from '../evaluate.js';

/**
 * The hub's consent model -> FHIR R4 `Consent`. Pure. `toFhirConsent` renders a stored basis so
 * that importing it again decides every request exactly as the stored basis does (the property in
 * test/unit/consent-fhir.test.ts).
 */

/** What `toFhirConsent` needs: a stored basis (store/consents.ts `ConsentRecord` fits). */
export interface ExportableConsent {
  id: string;
  participantId: string;
  basis: BasisKind;
  status: Basis['status'];
  period: Period;
  signatures: readonly Signature[];
  documentRef?: string | undefined;
  provision: Provision;
  createdAt: string;
  revokedAt?: string | undefined;
}


const BASIS_DISPLAY: Readonly<Record<BasisKind, string>> = { consent: 'Consent', court_order: 'Court order', statute: 'Statute' };

/**
 * The R4 Consent for a stored basis. `fromFhirConsent(toFhirConsent(x))` decides every request as
 * `x` does (for basis `consent`; court orders and statutes are rendered faithfully but are not
 * imported back). See docs/consent-fhir-mapping.md.
 */
export function toFhirConsent(consent: ExportableConsent): Consent {
  const participant = consent.signatures.find((s) => s.signer === 'participant');
  const category: CodeableConcept[] = [];
  if (consent.basis === 'consent') category.push({ coding: [{ system: FHIR_SYSTEM.loinc, code: '59284-0', display: 'Patient Consent' }] });
  category.push(
    { coding: [{ system: FHIR_SYSTEM.actCode, code: 'IDSCL', display: 'information disclosure' }] },
    { coding: [{ system: FHIR_SYSTEM.basis, code: consent.basis, display: BASIS_DISPLAY[consent.basis] }] },
  );

  const resource: Consent = {
    resourceType: 'Consent',
    id: consent.id,
    meta: { lastUpdated: consent.revokedAt ?? consent.createdAt },
    // R4 has no "revoked" or "expired": a consent that no longer applies is inactive.
    status: consent.status === 'active' ? 'active' : 'inactive',
    scope: { coding: [{ system: FHIR_SYSTEM.consentScope, code: 'patient-privacy', display: 'Privacy Consent' }] },
    category,
    patient: { reference: `Patient/${consent.participantId}` },
    dateTime: participant?.signedAt ?? consent.createdAt,
  };

  if (consent.basis === 'consent') {
    // Default deny with the provisions as exceptions: HL7's opt-in.
    resource.policyRule = { coding: [{ system: FHIR_SYSTEM.actCode, code: 'OPTIN', display: 'opt-in' }] };
    if (participant !== undefined) {
      resource.performer = [{ reference: `Patient/${consent.participantId}` }];
      Object.assign(resource, sourceOf(participant, consent.documentRef));
    }
  } else {
    // A court order or statute: the legal instrument is the policy; documentRef names it.
    const coding: Coding[] = [{ system: FHIR_SYSTEM.basis, code: consent.basis, display: BASIS_DISPLAY[consent.basis] }];
    resource.policyRule = consent.documentRef !== undefined ? { coding, text: consent.documentRef } : { coding };
  }

  const verification: ConsentVerification[] = consent.signatures
    .filter((s) => s.signer === 'guardian')
    .map((s) => {
      const extension: Extension[] = [{ url: SIGNATURE_METHOD_EXTENSION, valueCode: s.method }];
      if (s.relationship !== undefined && s.relationship !== '') extension.push({ url: SIGNER_RELATIONSHIP_EXTENSION, valueString: s.relationship });
      return { extension, verified: true, verifiedWith: { type: 'RelatedPerson', display: s.name }, verificationDate: s.signedAt };
    });
  if (verification.length > 0) resource.verification = verification;

  resource.provision = rootProvision(consent.provision, consent.period);
  return resource;
}

function sourceOf(participant: Signature, documentRef: string | undefined): Pick<Consent, 'sourceAttachment' | 'sourceReference'> {
  const extension: Extension[] = [{ url: SIGNATURE_METHOD_EXTENSION, valueCode: participant.method }];
  if (documentRef !== undefined && SOURCE_REFERENCE.test(documentRef)) {
    return { sourceReference: { extension, reference: documentRef, display: participant.name } };
  }
  if (documentRef !== undefined && !URI_WITH_SCHEME.test(documentRef)) {
    // A document number, not a link: a logical reference by identifier.
    return { sourceReference: { extension, identifier: { value: documentRef }, display: participant.name } };
  }
  const attachment: Attachment = { extension, title: participant.name, creation: participant.signedAt };
  if (documentRef !== undefined) attachment.url = documentRef;
  return { sourceAttachment: attachment };
}

/** The root FHIR provision: its period is the consent's period. */
function rootProvision(root: Provision, period: Period): ConsentProvision {
  const consentPeriod = fhirPeriod(period);
  // A root that can match nothing permits and denies nothing: an empty default-deny frame does the same.
  if (matchesNothing(root)) return { type: 'deny', period: consentPeriod };
  if (root.period !== undefined) {
    // The FHIR root period is taken by the consent period, so a root with a period of its own goes
    // one level down, under an empty default-deny frame: the hub evaluates both alike.
    return { type: 'deny', period: consentPeriod, provision: [fhirProvision(root)] };
  }
  const mapped = fhirProvision(root);
  return { type: mapped.type, period: consentPeriod, ...mapped };
}

function fhirPeriod(p: Period): FhirPeriod {
  const out: FhirPeriod = {};
  if (p.start !== OPEN_START) out.start = p.start;
  if (p.end !== undefined) out.end = p.end;
  return out;
}

function fhirProvision(node: Provision): ConsentProvision {
  // As consent/evaluate.ts: anything but an explicit 'permit' is a deny.
  const out: ConsentProvision = { type: node.type === 'permit' ? 'permit' : 'deny' };
  if (node.period !== undefined) out.period = fhirPeriod(node.period);
  const actors = usableActors(node.actors);
  if (actors !== undefined && actors.length > 0) out.actor = actors.map(fhirActor);
  if (node.purposes !== undefined) {
    out.purpose = node.purposes.filter((p) => PURPOSE_CODES[p] !== undefined).map((p) => ({ system: FHIR_SYSTEM.actReason, ...PURPOSE_CODES[p] }));
  }
  if (node.categories !== undefined) {
    out.class = [...new Set(node.categories)].filter((c) => CATEGORY_SET.has(c)).map((c): Coding => ({ system: FHIR_SYSTEM.dataCategory, code: c }));
  }
  const kids = (node.provisions ?? []).filter((k) => !matchesNothing(k)).map(fhirProvision);
  if (kids.length > 0) out.provision = kids;
  return out;
}

function fhirActor(actor: ProvisionActor): ConsentProvisionActor {
  const role = ROLE_CODES[actor.role === 'source' ? 'source' : 'recipient'];
  const out: ConsentProvisionActor = {
    role: { coding: [{ system: FHIR_SYSTEM.participationType, ...role }] },
    reference:
      actor.organizationId !== undefined
        ? { reference: `Organization/${actor.organizationId}` }
        : { display: `any ${String(actor.organizationKind).replace(/_/g, ' ')} organisation` },
  };
  if (actor.organizationKind !== undefined) out.modifierExtension = [{ url: ORGANIZATION_KIND_EXTENSION, valueCode: actor.organizationKind }];
  return out;
}

/** Actors that can match someone: FHIR has no way to write one that matches no one. */
function usableActors(actors: readonly ProvisionActor[] | undefined): ProvisionActor[] | undefined {
  return actors?.filter(actorCanMatch);
}

