import { createHash } from 'node:crypto';
import { Id, Timestamp } from '../../schemas/common.js';
import type { ConsentInput } from '../../schemas/consent.js';
import { ORGANIZATION_KINDS, type DataCategory, type OrganizationKind, type Purpose } from '../../schemas/vocabulary.js';
import type { Period, Provision, ProvisionActor, Signature } from '../types.js';
import type { Problem } from '../validate.js';
import { CATEGORY_SET, FHIR_SYSTEM, KIND_SET, METHODS, OPEN_START, ORGANIZATION_KIND_EXTENSION, PURPOSE_BY_CODE, ROLE_BY_CODE, SENSITIVITY, SIGNATURE_METHOD_EXTENSION, SIGNER_RELATIONSHIP_EXTENSION } from './codes.js';

/**
 * FHIR R4 `Consent` -> the hub's consent model. Pure: no I/O, no clock. `fromFhirConsent` maps a
 * posted R4 Consent onto the same `ConsentInput` the JSON route accepts; the route still validates
 * it with the `ConsentInput` schema and `signatureProblems`. Whatever would change a decision and
 * cannot be mapped is a problem naming its FHIR path (a 422), never silently dropped.
 */

/** As schemas/consent.ts: provisions nest at most 8 deep. Also bounds the recursion over untrusted input. */
const MAX_DEPTH = 8;

export type FromFhirResult =
  | {
      ok: true;
      input: ConsentInput;
      /**
       * The status to store: `active` for an `active` Consent; `expired` for `inactive`, `rejected`
       * and `entered-in-error` (recorded, permits nothing). The route still applies its own rule on
       * top (a period that has already ended is `expired` too).
       */
      status: 'active' | 'expired';
    }
  | { ok: false; problems: Problem[] };

/** Every `consentaction` code; only `disclose` is what the hub decides (see `actionProblems`). */
const ACTIONS: ReadonlySet<string> = new Set(['collect', 'access', 'use', 'disclose', 'correct']);

const CONSENT_KEYS = new Set([
  'resourceType', 'id', 'meta', 'implicitRules', 'language', 'text', 'contained', 'extension', 'modifierExtension',
  'identifier', 'status', 'scope', 'category', 'patient', 'dateTime', 'performer', 'organization',
  'sourceAttachment', 'sourceReference', 'policy', 'policyRule', 'verification', 'provision',
]);
const PROVISION_KEYS = new Set([
  'id', 'extension', 'modifierExtension', 'type', 'period', 'actor', 'action', 'securityLabel', 'purpose', 'class',
  'code', 'dataPeriod', 'data', 'provision',
]);
const ACTOR_KEYS = new Set(['id', 'extension', 'modifierExtension', 'role', 'reference']);


type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const child = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const given = (v: unknown): boolean => v !== undefined && v !== null;

class Reader {
  readonly problems: Problem[] = [];
  constructor(readonly contained: readonly unknown[]) {}

  add(path: string, message: string): undefined {
    this.problems.push({ path, message });
    return undefined;
  }

  /** A FHIR list: absent, null or empty reads as absent (FHIR JSON has no empty arrays). */
  list(obj: Json, key: string, path: string): unknown[] | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return this.add(child(path, key), 'expected a list');
    return v.length === 0 ? undefined : v;
  }

  object(obj: Json, key: string, path: string): Json | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    return isObject(v) ? v : this.add(child(path, key), 'expected an object');
  }

  /** Elements this mapping does not know may change the consent: R5 elements, typos, ... */
  unknownKeys(obj: Json, known: ReadonlySet<string>, path: string, what: string): void {
    for (const key of Object.keys(obj)) {
      // `_status` and friends carry extensions of primitives: informational.
      if (key.startsWith('_') || known.has(key)) continue;
      this.add(child(path, key), `not an element of an R4 ${what}: the hub cannot tell whether it changes the consent`);
    }
  }

  /** FHIR: a modifier extension that is not understood must not be ignored. */
  modifiers(obj: Json, path: string, understood: (url: unknown) => boolean = () => false): void {
    const list = this.list(obj, 'modifierExtension', path) ?? [];
    list.forEach((ext, i) => {
      const url = isObject(ext) ? ext.url : undefined;
      if (!understood(url)) this.add(`${child(path, 'modifierExtension')}[${i}]`, `a modifier extension the hub does not understand (${String(url)})`);
    });
  }

  /** The codings of a CodeableConcept. */
  codings(concept: unknown, path: string): Json[] {
    if (!isObject(concept)) return this.add(path, 'expected a CodeableConcept') ?? [];
    const list = this.list(concept, 'coding', path) ?? [];
    return list.filter((c, i) => isObject(c) || this.add(`${child(path, 'coding')}[${i}]`, 'expected a Coding')) as Json[];
  }

  /**
   * A FHIR dateTime as the hub's RFC 3339 instant. Full date-times pass through unchanged (the
   * contract fixes the end of a period as exclusive). A date (or year-month, or year) covers the
   * whole day (month, year): as a start it is its first instant (UTC), as an end the first instant
   * after it, so that the given day is still inside the period, as FHIR reads `Period.end`.
   */
  instant(value: unknown, edge: 'start' | 'end', path: string): string | undefined {
    if (typeof value !== 'string') return this.add(path, 'expected a FHIR dateTime');
    if (FULL_DATE_TIME.test(value)) return Timestamp.safeParse(value).success ? value : this.add(path, 'not a valid date and time');
    const m = PARTIAL_DATE.exec(value);
    if (m === null) {
      return this.add(path, /^\d{4}-\d{2}-\d{2}T/.test(value) ? 'a FHIR dateTime with a time needs seconds and a time zone' : 'not a FHIR dateTime');
    }
    const year = Number(m[1]);
    const month = m[2] === undefined ? undefined : Number(m[2]);
    const day = m[3] === undefined ? undefined : Number(m[3]);
    const date = new Date(0);
    date.setUTCFullYear(year, (month ?? 1) - 1, day ?? 1);
    if (year < 1 || date.getUTCMonth() !== (month ?? 1) - 1 || date.getUTCDate() !== (day ?? 1)) return this.add(path, 'not a valid date');
    if (edge === 'end') {
      if (day !== undefined) date.setUTCDate(day + 1);
      else if (month !== undefined) date.setUTCMonth(month);
      else date.setUTCFullYear(year + 1);
    }
    return date.toISOString().replace('.000Z', 'Z');
  }

  /** A FHIR Period; a missing start is `openStart` (undefined: the caller decides). */
  period(value: unknown, path: string, openStart: string | undefined): { start?: string | undefined; end?: string | undefined } | undefined {
    if (!isObject(value)) return this.add(path, 'expected a Period');
    const start = value.start === undefined || value.start === null ? openStart : this.instant(value.start, 'start', child(path, 'start'));
    const end = value.end === undefined || value.end === null ? undefined : this.instant(value.end, 'end', child(path, 'end'));
    if (start !== undefined && end !== undefined && !(Date.parse(end) > Date.parse(start))) {
      return this.add(child(path, 'end'), 'the period ends before it starts');
    }
    return { start, end };
  }
}

const FULL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

function valueOf(ext: unknown, key: 'valueCode' | 'valueString'): string | undefined {
  return isObject(ext) && typeof ext[key] === 'string' ? ext[key] : undefined;
}
function extensionValue(obj: Json | undefined, url: string, key: 'valueCode' | 'valueString'): string | undefined {
  const list = obj?.extension;
  if (!Array.isArray(list)) return undefined;
  for (const ext of list) if (isObject(ext) && ext.url === url) return valueOf(ext, key);
  return undefined;
}
function methodOf(obj: Json | undefined, fallback: Signature['method']): Signature['method'] {
  const m = extensionValue(obj, SIGNATURE_METHOD_EXTENSION, 'valueCode');
  return m !== undefined && METHODS.has(m) ? (m as Signature['method']) : fallback;
}

/**
 * Maps an R4 Consent onto the hub's `ConsentInput`. See docs/consent-fhir-mapping.md.
 * `ok: false` lists every problem found, each with the FHIR path it concerns.
 */
export function fromFhirConsent(resource: unknown): FromFhirResult {
  if (!isObject(resource)) return { ok: false, problems: [{ path: 'resourceType', message: 'expected a FHIR Consent resource (a JSON object)' }] };
  if (resource.resourceType !== 'Consent') {
    return { ok: false, problems: [{ path: 'resourceType', message: `expected resourceType "Consent", got ${JSON.stringify(resource.resourceType) ?? 'none'}` }] };
  }
  const r = new Reader(Array.isArray(resource.contained) ? resource.contained : []);
  r.unknownKeys(resource, CONSENT_KEYS, '', 'Consent');
  r.modifiers(resource, '');
  if (resource.implicitRules !== undefined) r.add('implicitRules', 'the hub does not process implicit rules, which may change the meaning of the resource');

  const status = statusOf(r, resource.status);
  checkScope(r, resource);
  checkPolicy(r, resource);

  // patient = Patient/<participantId>
  let participantId: string | undefined;
  const patient = r.object(resource, 'patient', '');
  if (patient === undefined) {
    if (!given(resource.patient)) r.add('patient', 'a Consent must name the participant: patient.reference "Patient/<participantId>"');
  } else {
    const m = typeof patient.reference === 'string' ? /^Patient\/([^/]+)$/.exec(patient.reference) : null;
    if (m === null) r.add('patient.reference', 'expected "Patient/<participantId>"');
    else if (!Id.safeParse(m[1]).success) r.add('patient.reference', `"${m[1]}" is not a hub participant id`);
    else participantId = m[1];
  }

  const dateTime = given(resource.dateTime) ? r.instant(resource.dateTime, 'start', 'dateTime') : undefined;
  const { signatures, documentRef } = signaturesOf(r, resource, dateTime);

  // The root provision: its period is the consent's period, the rest is the hub's root provision.
  let period: Period | undefined;
  let provision: Provision | undefined;
  const root = r.object(resource, 'provision', ''); // an R5-style list is reported there
  if (root === undefined) {
    if (resource.provision === undefined || resource.provision === null) {
      r.add('provision', 'a Consent without a provision permits nothing the hub can apply: give the root provision');
    }
  } else {
    if (root.period === undefined || root.period === null) {
      if (dateTime !== undefined) period = { start: dateTime };
      else if (!given(resource.dateTime)) r.add('provision.period', 'the consent period: give provision.period.start or Consent.dateTime');
    } else {
      const rp = r.period(root.period, 'provision.period', dateTime);
      if (rp?.start !== undefined) period = rp.end === undefined ? { start: rp.start } : { start: rp.start, end: rp.end };
      else if (rp !== undefined && !given(resource.dateTime)) r.add('provision.period.start', 'the consent period needs a start (or Consent.dateTime)');
    }
    provision = provisionOf(r, root, 'provision', 1, true);
  }

  if (r.problems.length > 0 || status === undefined || participantId === undefined || period === undefined || provision === undefined) {
    return { ok: false, problems: r.problems };
  }
  const input: ConsentInput = { participantId, basis: 'consent', period, signatures, provision };
  if (documentRef !== undefined) input.documentRef = documentRef;
  return { ok: true, input, status };
}

function statusOf(r: Reader, status: unknown): 'active' | 'expired' | undefined {
  switch (status) {
    case 'active':
      return 'active';
    case 'inactive':
    case 'rejected':
    case 'entered-in-error':
      return 'expired';
    case 'draft':
    case 'proposed':
      return r.add('status', `a ${status} Consent is not a consent yet: post it once it is active`);
    default:
      return r.add('status', 'expected an R4 Consent status (active, inactive, rejected, entered-in-error)');
  }
}

/** Light: a research consent or an advance directive is not a consent to share case files. */
function checkScope(r: Reader, resource: Json): void {
  if (resource.scope === undefined || resource.scope === null) return;
  for (const c of r.codings(resource.scope, 'scope')) {
    if (c.system === FHIR_SYSTEM.consentScope && (c.code === 'research' || c.code === 'adr')) {
      r.add('scope', `a ${c.code === 'adr' ? 'advance directive' : 'research consent'} is not a consent to disclose case-file data`);
    }
  }
}

/**
 * Light: `policyRule` and `category` are informational, except for what would flip the hub's
 * reading: an opt-out base policy (permit by default; the hub denies by default) and the hub's own
 * court-order/statute markers (those bases are not imported from FHIR).
 */
function checkPolicy(r: Reader, resource: Json): void {
  const concepts: [unknown, string][] = [];
  if (resource.policyRule !== undefined && resource.policyRule !== null) concepts.push([resource.policyRule, 'policyRule']);
  (r.list(resource, 'category', '') ?? []).forEach((c, i) => concepts.push([c, `category[${i}]`]));
  for (const [concept, path] of concepts) {
    for (const c of r.codings(concept, path)) {
      if (c.system === FHIR_SYSTEM.actCode && (c.code === 'OPTOUT' || c.code === 'OPTOUTE')) {
        r.add(path, 'an opt-out base policy permits by default, but the hub denies by default: state the permit in the root provision');
      }
      if (c.system === FHIR_SYSTEM.basis && (c.code === 'court_order' || c.code === 'statute')) {
        r.add(path, `a ${c.code.replace('_', ' ')} cannot be imported as a FHIR Consent: post it as JSON with basis "${c.code}"`);
      }
    }
  }
}

function signaturesOf(r: Reader, resource: Json, dateTime: string | undefined): { signatures: Signature[]; documentRef?: string } {
  const signatures: Signature[] = [];
  let documentRef: string | undefined;
  const attachment = r.object(resource, 'sourceAttachment', '');
  const reference = r.object(resource, 'sourceReference', '');
  if (attachment !== undefined && reference !== undefined) {
    r.add('sourceReference', 'source[x] is a choice: give sourceAttachment or sourceReference, not both');
  } else if (attachment !== undefined || reference !== undefined) {
    const path = attachment !== undefined ? 'sourceAttachment' : 'sourceReference';
    let signedAt = dateTime;
    let name: unknown;
    if (attachment !== undefined) {
      if (given(attachment.url)) documentRef = nonEmpty(attachment.url) ? attachment.url : r.add('sourceAttachment.url', 'expected a url');
      else if (nonEmpty(attachment.data)) documentRef = `sha256:${createHash('sha256').update(attachment.data).digest('hex')}`;
      if (given(attachment.creation)) signedAt = r.instant(attachment.creation, 'start', 'sourceAttachment.creation');
      name = attachment.title;
    } else if (reference !== undefined) {
      const identifier = isObject(reference.identifier) ? reference.identifier.value : undefined;
      if (nonEmpty(reference.reference)) documentRef = reference.reference;
      else if (nonEmpty(identifier)) documentRef = identifier;
      name = reference.display;
    }
    // The signed form stands for the participant's signature only when the element actually points
    // at one or carries it: an empty `{}` or `{"reference": 5}` is nobody's signature. A form-less
    // signature exported by a hub (toFhirConsent) says so explicitly: the signer's name as title and
    // the signature-method extension.
    const recordedSignature = attachment !== undefined && nonEmpty(attachment.title) && METHODS.has(extensionValue(attachment, SIGNATURE_METHOD_EXTENSION, 'valueCode') ?? '');
    if (documentRef === undefined && !recordedSignature) {
      r.add(path, attachment !== undefined
        ? 'carries no signed form: give its url or its data, or record the participant\'s signature another way'
        : 'references no signed form: give a reference (or an identifier value), or record the participant\'s signature another way');
    } else {
      if (documentRef !== undefined && documentRef.length > 2000) r.add(attachment !== undefined ? 'sourceAttachment.url' : 'sourceReference', 'longer than 2000 characters');
      if (!given(attachment?.creation) && !given(resource.dateTime)) {
        r.add('dateTime', "Consent.dateTime (or sourceAttachment.creation) dates the participant's signature on the source form");
      }
      const n = nonEmpty(name) ? name.trim() : 'signed consent form';
      if (n.length > 300) r.add(child(path, attachment !== undefined ? 'title' : 'display'), 'longer than 300 characters');
      if (signedAt !== undefined) {
        signatures.push({ signer: 'participant', name: n, signedAt, method: methodOf(attachment ?? reference, 'wet') });
      }
    }
  }

  // A verified entry whose verifiedWith is a RelatedPerson counts as a guardian's signature.
  (r.list(resource, 'verification', '') ?? []).forEach((v, i) => {
    const path = `verification[${i}]`;
    if (!isObject(v)) return void r.add(path, 'expected an object');
    r.modifiers(v, path);
    if (v.verified !== true || !isObject(v.verifiedWith) || !isRelatedPerson(r, v.verifiedWith)) return;
    const signedAt = given(v.verificationDate) ? r.instant(v.verificationDate, 'start', `${path}.verificationDate`) : dateTime;
    if (signedAt === undefined) {
      if (!given(v.verificationDate) && !given(resource.dateTime)) r.add(`${path}.verificationDate`, "dates the guardian's signature (or give Consent.dateTime)");
      return;
    }
    const w = v.verifiedWith;
    const name = nonEmpty(w.display) ? w.display.trim() : nonEmpty(w.reference) ? w.reference : 'guardian';
    if (name.length > 300) r.add(`${path}.verifiedWith.display`, 'longer than 300 characters');
    const sig: Signature = { signer: 'guardian', name, signedAt, method: methodOf(v, 'verbal_witnessed') };
    const relationship = extensionValue(v, SIGNER_RELATIONSHIP_EXTENSION, 'valueString');
    if (nonEmpty(relationship) && relationship.length <= 100) sig.relationship = relationship;
    signatures.push(sig);
  });
  return documentRef === undefined ? { signatures } : { signatures, documentRef };
}

function isRelatedPerson(r: Reader, ref: Json): boolean {
  if (ref.type === 'RelatedPerson') return true;
  if (typeof ref.reference !== 'string') return false;
  if (ref.reference.startsWith('#')) {
    const id = ref.reference.slice(1);
    return r.contained.some((c) => isObject(c) && c.resourceType === 'RelatedPerson' && c.id === id);
  }
  return /(^|\/)RelatedPerson\/[^/]+(\/_history\/[^/]+)?$/.test(ref.reference);
}

function provisionOf(r: Reader, node: Json, path: string, depth: number, root: boolean): Provision | undefined {
  r.unknownKeys(node, PROVISION_KEYS, path, 'Consent.provision');
  r.modifiers(node, path);
  for (const key of ['code', 'dataPeriod', 'data'] as const) {
    if (node[key] !== undefined && node[key] !== null) {
      const what = key === 'code' ? 'codes found in the data' : key === 'data' ? 'specific resources' : 'the period of the data';
      r.add(child(path, key), `the hub decides by data category, not by ${what}: this provision cannot be mapped`);
    }
  }

  const actors = actorsOf(r, node, path);
  const purposes = codesOf(r, node, 'purpose', path, purposeOf);
  const fromClass = codesOf(r, node, 'class', path, categoryOf);
  const fromLabels = codesOf(r, node, 'securityLabel', path, categoryOf);
  // Two conditions, both must hold (as every condition of a FHIR provision): the categories in both.
  const categories = fromClass !== undefined && fromLabels !== undefined ? fromClass.filter((c) => fromLabels.includes(c)) : (fromClass ?? fromLabels);
  actionProblems(r, node, path);

  let type: Provision['type'] | undefined;
  if (node.type === 'permit' || node.type === 'deny') type = node.type;
  else if (node.type !== undefined && node.type !== null) r.add(child(path, 'type'), 'expected "permit" or "deny"');
  else if (!root) r.add(child(path, 'type'), 'a nested provision needs a type: permit or deny');
  else if (actors === undefined && purposes === undefined && categories === undefined) type = 'deny'; // R4's untyped root: the default-deny frame
  else r.add(child(path, 'type'), 'a root provision with conditions needs a type: permit or deny');

  // The root's period is the consent's period (fromFhirConsent); a nested one is the provision's own.
  let period: Period | undefined;
  if (!root && node.period !== undefined && node.period !== null) {
    const p = r.period(node.period, child(path, 'period'), OPEN_START);
    if (p?.start !== undefined) period = p.end === undefined ? { start: p.start } : { start: p.start, end: p.end };
  }

  let provisions: Provision[] | undefined;
  const kids = r.list(node, 'provision', path);
  if (kids !== undefined) {
    if (depth >= MAX_DEPTH) r.add(child(path, 'provision'), `provisions nest at most ${MAX_DEPTH} deep`);
    else {
      provisions = [];
      kids.forEach((kid, i) => {
        const p = `${child(path, 'provision')}[${i}]`;
        if (!isObject(kid)) return void r.add(p, 'expected an object');
        const mapped = provisionOf(r, kid, p, depth + 1, false);
        if (mapped !== undefined) provisions!.push(mapped);
      });
    }
  }

  if (type === undefined) return undefined;
  const out: Provision = { type };
  if (actors !== undefined) out.actors = actors;
  if (purposes !== undefined) out.purposes = purposes;
  if (categories !== undefined) out.categories = categories;
  if (period !== undefined) out.period = period;
  if (provisions !== undefined) out.provisions = provisions;
  return out;
}

/** A list of Codings mapped through `map`; an unmappable one is a problem. Duplicates collapse. */
function codesOf<T>(r: Reader, node: Json, key: string, path: string, map: (c: Json) => { value: T } | string): T[] | undefined {
  const list = r.list(node, key, path);
  if (list === undefined) return undefined;
  const out: T[] = [];
  list.forEach((c, i) => {
    const p = `${child(path, key)}[${i}]`;
    if (!isObject(c)) return void r.add(p, 'expected a Coding');
    const v = map(c);
    if (typeof v === 'string') return void r.add(p, v);
    if (!out.includes(v.value)) out.push(v.value);
  });
  return out;
}

const codingLabel = (c: Json): string => `${String(c.system ?? '(no system)')}#${String(c.code ?? '(no code)')}`;

function purposeOf(c: Json): { value: Purpose } | string {
  const p = c.system === FHIR_SYSTEM.actReason && typeof c.code === 'string' ? PURPOSE_BY_CODE.get(c.code) : undefined;
  return p !== undefined
    ? { value: p }
    : `unknown purpose ${codingLabel(c)}: expected ${FHIR_SYSTEM.actReason} TREAT, CAREMGT, HPAYMT or HLEGAL`;
}

function categoryOf(c: Json): { value: DataCategory } | string {
  if (typeof c.code === 'string') {
    if (c.system === FHIR_SYSTEM.dataCategory && CATEGORY_SET.has(c.code)) return { value: c.code as DataCategory };
    const sensitive = c.system === FHIR_SYSTEM.actCode ? SENSITIVITY.get(c.code) : undefined;
    if (sensitive !== undefined) return { value: sensitive };
  }
  return `unknown data category ${codingLabel(c)}: expected ${FHIR_SYSTEM.dataCategory} with a category name, or ${FHIR_SYSTEM.actCode} ETH, SUD, PSY or MH`;
}

/**
 * `action` restricts the acts a provision governs. Every hub decision is a disclosure (to the
 * recipient, for its access and use), so a provision naming `disclose` governs it in full and maps
 * without restriction; one that names only other acts (collect, access, use, correct), or codes
 * outside `consentaction`, would decide something the hub cannot represent: a problem.
 */
function actionProblems(r: Reader, node: Json, path: string): void {
  const list = r.list(node, 'action', path);
  if (list === undefined) return;
  let disclose = false;
  let bad = false;
  list.forEach((concept, i) => {
    const p = `${child(path, 'action')}[${i}]`;
    const codes = r.codings(concept, p).filter((c) => c.system === FHIR_SYSTEM.consentAction);
    if (codes.length === 0 || codes.some((c) => typeof c.code !== 'string' || !ACTIONS.has(c.code))) {
      bad = true;
      r.add(p, `expected a ${FHIR_SYSTEM.consentAction} code (collect, access, use, disclose, correct)`);
    }
    if (codes.some((c) => c.code === 'disclose')) disclose = true;
  });
  if (!disclose && !bad) {
    r.add(child(path, 'action'), 'the hub decides disclosures: a provision whose action does not include "disclose" cannot be mapped');
  }
}

function actorsOf(r: Reader, node: Json, path: string): ProvisionActor[] | undefined {
  const list = r.list(node, 'actor', path);
  if (list === undefined) return undefined;
  const out: ProvisionActor[] = [];
  list.forEach((a, i) => {
    const p = `${child(path, 'actor')}[${i}]`;
    if (!isObject(a)) return void r.add(p, 'expected an object');
    const actor = actorOf(r, a, p);
    if (actor !== undefined) out.push(actor);
  });
  return out;
}

function actorOf(r: Reader, a: Json, path: string): ProvisionActor | undefined {
  r.unknownKeys(a, ACTOR_KEYS, path, 'Consent.provision.actor');
  r.modifiers(a, path, (url) => url === ORGANIZATION_KIND_EXTENSION);
  let ok = true;
  const fail = (p: string, message: string): void => {
    ok = false;
    r.add(p, message);
  };

  // An organisation kind, as a (modifier) extension: it narrows the actor.
  let kind: OrganizationKind | undefined;
  for (const key of ['extension', 'modifierExtension'] as const) {
    (r.list(a, key, path) ?? []).forEach((ext, i) => {
      if (!isObject(ext) || ext.url !== ORGANIZATION_KIND_EXTENSION) return;
      const code = valueOf(ext, 'valueCode');
      const p = `${child(path, key)}[${i}].valueCode`;
      if (code === undefined || !KIND_SET.has(code)) fail(p, `expected an organisation kind (${ORGANIZATION_KINDS.join(', ')})`);
      else if (kind !== undefined && kind !== code) fail(p, 'an actor has one organisation kind');
      else kind = code as OrganizationKind;
    });
  }

  let role: 'recipient' | 'source' | undefined;
  const rolePath = child(path, 'role');
  if (a.role === undefined || a.role === null) {
    fail(rolePath, `an actor needs a role from ${FHIR_SYSTEM.participationType}: IRCP or PRCP (recipient) or CST (source)`);
  } else {
    const roles = new Set<'recipient' | 'source'>();
    const codings = r.codings(a.role, rolePath).filter((c) => c.system === FHIR_SYSTEM.participationType);
    for (const c of codings) {
      const mapped = typeof c.code === 'string' ? ROLE_BY_CODE.get(c.code) : undefined;
      if (mapped === undefined) fail(rolePath, `the hub cannot map the actor role ${codingLabel(c)}: expected IRCP, PRCP or CST`);
      else roles.add(mapped);
    }
    if (codings.length === 0) fail(rolePath, `expected a ${FHIR_SYSTEM.participationType} code: IRCP or PRCP (recipient) or CST (source)`);
    else if (roles.size > 1) fail(rolePath, 'an actor is either a recipient or a source');
    else role = [...roles][0];
  }

  let organizationId: string | undefined;
  const refPath = child(path, 'reference');
  const ref = a.reference;
  if (!isObject(ref)) fail(refPath, 'an actor needs a reference: "Organization/<organizationId>"');
  else if (typeof ref.reference === 'string') {
    const m = /^Organization\/([^/]+)$/.exec(ref.reference);
    if (m === null) fail(refPath, 'the hub shares with organisations: expected "Organization/<organizationId>"');
    else if (!Id.safeParse(m[1]).success) fail(refPath, `"${m[1]}" is not a hub organisation id`);
    else organizationId = m[1];
  } else if (kind === undefined) {
    fail(refPath, `names no hub organisation: expected reference "Organization/<organizationId>" (or the ${ORGANIZATION_KIND_EXTENSION} extension)`);
  }

  if (!ok || role === undefined) return undefined;
  const out: ProvisionActor = { role };
  if (organizationId !== undefined) out.organizationId = organizationId;
  if (kind !== undefined) out.organizationKind = kind;
  return out;
}

