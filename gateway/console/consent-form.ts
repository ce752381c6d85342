import { z } from '@hono/zod-openapi';
import { irrevocabilityProblems, signatureProblems } from '../../consent/index.js';
import type { Provision, ProvisionActor } from '../../consent/index.js';
import { ConsentInput } from '../../schemas/consent.js';
import { BASIS_KINDS, DATA_CATEGORIES, ORGANIZATION_KINDS, PURPOSES, type BasisKind, type DataCategory, type Purpose } from '../../schemas/vocabulary.js';
import type { ConsentParty } from '../../services/organizations.js';
import { zodProblems } from '../problem.js';

/**
 * The guided consent form, translated to the API's `ConsentInput` and back: the console records
 * exactly what `POST /v1/consents` would, through the same schema and the same checks.
 *
 * A browser without script sends one value per field name, and `readForm` keeps only the first of
 * repeated names, so each choice is its own field: `to.<orgId>`, `toKind.<kind>`, `purpose.<p>`,
 * `send.<category>` (what the partner may receive) and `back.<category>` (what it may report back).
 */

export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;

export interface FormContext {
  participant: { id: string; birthDate: string };
  /** The compliance officer's organisation: the referrer that reports come back to. */
  ownOrgId: string;
  parties: ConsentParty[];
  now: Date;
}

export const SIGNATURE_METHODS = ['wet', 'electronic', 'verbal_witnessed'] as const;
type Method = (typeof SIGNATURE_METHODS)[number];

const FIELD = /^(to\.[A-Za-z0-9_-]+|toKind\.[a-z_]+|purpose\.[a-z_]+|send\.[a-z_]+|back\.[a-z_]+|start|end|basis|documentRef|participant(Name|SignedOn|Method)|guardian(Name|Relationship|SignedOn|Method)|irrevocable|irrevocable(Event|Until))$/;

/** The form's own fields, and nothing else a post may carry (the csrf token, the step). */
export function formFields(form: FormValues): FormValues {
  return Object.fromEntries(Object.entries(form).filter(([k]) => FIELD.test(k)));
}

const checked = (values: FormValues, name: string) => values[name] === 'on';
/** A calendar day: `Date.parse` would take 31 February as 3 March, and the consent would carry a day nobody wrote. */
const isDate = (v: string) => z.iso.date().safeParse(v).success;
/** A calendar day as the instant it starts, in UTC (the form says so). */
const instant = (day: string) => `${day}T00:00:00Z`;
const today = (now: Date) => now.toISOString().slice(0, 10);

export interface ChosenParts {
  organizations: ConsentParty[];
  kinds: (typeof ORGANIZATION_KINDS)[number][];
  purposes: Purpose[];
  send: DataCategory[];
  back: DataCategory[];
}

export function chosen(values: FormValues, ctx: Pick<FormContext, 'parties' | 'ownOrgId'>): ChosenParts {
  return {
    organizations: ctx.parties.filter((p) => p.id !== ctx.ownOrgId && checked(values, `to.${p.id}`)),
    kinds: ORGANIZATION_KINDS.filter((k) => checked(values, `toKind.${k}`)),
    purposes: PURPOSES.filter((p) => checked(values, `purpose.${p}`)),
    send: DATA_CATEGORIES.filter((c) => checked(values, `send.${c}`)),
    back: DATA_CATEGORIES.filter((c) => checked(values, `back.${c}`)),
  };
}

/**
 * Both directions as one record, an opt-in frame with an exception each way (docs/consent.md,
 * "both ways, as one record"): the first names the partners as recipients of the hub's case
 * file; the second names them as the `source` and the officer's organisation as the recipient,
 * so it matches only what the partners report back.
 */
export function provisionOf(parts: ChosenParts, ownOrgId: string): Provision {
  const partners: ProvisionActor[] = [
    ...parts.organizations.map((o) => ({ organizationId: o.id })),
    ...parts.kinds.map((k) => ({ organizationKind: k })),
  ];
  const rules: Provision[] = [];
  if (parts.send.length > 0) {
    rules.push({ type: 'permit', actors: partners.map((a) => ({ role: 'recipient' as const, ...a })), purposes: parts.purposes, categories: parts.send });
  }
  if (parts.back.length > 0) {
    rules.push({
      type: 'permit',
      actors: [...partners.map((a) => ({ role: 'source' as const, ...a })), { role: 'recipient', organizationId: ownOrgId }],
      purposes: parts.purposes, categories: parts.back,
    });
  }
  return { type: 'deny', provisions: rules };
}

function signature(values: FormValues, who: 'participant' | 'guardian', errors: FieldErrors, now: Date) {
  const name = (values[`${who}Name`] ?? '').trim();
  if (!name) return undefined;
  const on = values[`${who}SignedOn`] ?? '';
  if (!isDate(on)) errors[`${who}SignedOn`] = 'enter the date it was signed';
  else if (on > today(now)) errors[`${who}SignedOn`] = 'the date it was signed cannot be in the future';
  const method = (SIGNATURE_METHODS as readonly string[]).includes(values[`${who}Method`] ?? '') ? (values[`${who}Method`] as Method) : 'wet';
  const relationship = who === 'guardian' ? (values.guardianRelationship ?? '').trim() : '';
  return { signer: who, name, ...(relationship ? { relationship } : {}), signedAt: isDate(on) ? instant(on) : '', method };
}

/**
 * Where each API field's problem is shown on the form. `signers`: who signed, in the order of the
 * input's `signatures`, so that a problem with `signatures.1` lands on the guardian's fields when
 * the guardian is the second signer (and on the participant's only when it is theirs).
 */
export function fieldFor(path: string, message: string, signers: readonly string[] = []): string {
  if (path === 'period.start') return 'start';
  if (path === 'period.end' || path === 'period') return 'end';
  if (path === 'signatures') return /minor|guardian/.test(message) ? 'guardianName' : 'participantName';
  if (path.startsWith('signatures.')) {
    const [, index, field] = path.split('.');
    const who = signers[Number(index)] === 'guardian' ? 'guardian' : 'participant';
    return field === 'signedAt' ? `${who}SignedOn` : `${who}Name`;
  }
  if (path === 'irrevocable.until') return 'irrevocableUntil';
  if (path.startsWith('irrevocable')) return 'irrevocable';
  if (path === 'documentRef') return 'documentRef';
  return 'form';
}

export interface ReadConsent {
  input?: ConsentInput;
  errors: FieldErrors;
  parts: ChosenParts;
}

/**
 * The form as the API's input, or the reasons it cannot be recorded, each on its field: the
 * form's own requirements (a guided consent names recipients, purposes and information), then
 * the schema and the service's checks (signatures, a minor's guardian, documents, 42 CFR 2.35).
 */
export function readConsentForm(values: FormValues, ctx: FormContext): ReadConsent {
  const errors: FieldErrors = {};
  const parts = chosen(values, ctx);
  if (parts.organizations.length === 0 && parts.kinds.length === 0) errors.recipients = 'choose at least one organisation, or a kind of organisation';
  if (parts.purposes.length === 0) errors.purposes = 'choose at least one purpose: 42 CFR 2.31(a)(5) asks the consent to state why the information is shared';
  if (parts.send.length === 0 && parts.back.length === 0) errors.send = 'choose at least one kind of information the partner may receive or report back';

  const start = values.start ?? '';
  const end = values.end ?? '';
  if (!isDate(start)) errors.start = 'enter the date the consent starts';
  if (end && !isDate(end)) errors.end = 'enter the expiry as a date, or leave it empty';
  else if (end && isDate(start) && end <= start) errors.end = 'the consent must expire after the day it starts';

  const basis = (BASIS_KINDS as readonly string[]).includes(values.basis ?? '') ? (values.basis as BasisKind) : undefined;
  if (!basis) errors.basis = 'choose what the disclosure rests on';
  const documentRef = (values.documentRef ?? '').trim();

  const signatures = [signature(values, 'participant', errors, ctx.now), signature(values, 'guardian', errors, ctx.now)].filter((s) => s !== undefined);

  let irrevocable: ConsentInput['irrevocable'];
  if (checked(values, 'irrevocable')) {
    const event = (values.irrevocableEvent ?? '').trim();
    const until = values.irrevocableUntil ?? '';
    if (!event) errors.irrevocableEvent = 'state the event until which the participant may not revoke, for example the final disposition of the case';
    if (until && !isDate(until)) errors.irrevocableUntil = 'enter a date, or leave it empty';
    irrevocable = { event: event || '-', ...(until && isDate(until) ? { until: instant(until) } : {}) };
  }

  if (Object.keys(errors).length > 0 || !basis) return { errors, parts };
  const candidate = {
    participantId: ctx.participant.id, basis,
    period: { start: instant(start), ...(end ? { end: instant(end) } : {}) },
    signatures: basis === 'consent' ? signatures : [],
    ...(documentRef ? { documentRef } : {}),
    provision: provisionOf(parts, ctx.ownOrgId),
    ...(irrevocable ? { irrevocable } : {}),
  };
  const parsed = ConsentInput.safeParse(candidate);
  if (!parsed.success) {
    const signers = candidate.signatures.map((sig) => sig.signer);
    for (const p of zodProblems(parsed.error, 'form')) errors[fieldFor(p.path, p.message, signers)] ??= p.message;
    return { errors, parts };
  }
  // The checks createConsent makes, made here first so that the officer sees them before saving.
  const problems = [
    ...signatureProblems(parsed.data, { birthDate: ctx.participant.birthDate, at: ctx.now, provision: parsed.data.provision }),
    ...irrevocabilityProblems(parsed.data),
  ];
  for (const p of problems) errors[fieldFor(p.path, p.message, parsed.data.signatures.map((sig) => sig.signer))] ??= p.message;
  return Object.keys(errors).length > 0 ? { errors, parts } : { input: parsed.data, errors, parts };
}

/** The values a fresh form starts with. */
export function initialValues(now: Date): FormValues {
  return { start: today(now), basis: 'consent', participantMethod: 'wet', guardianMethod: 'wet', participantSignedOn: today(now) };
}
