import { createHash } from 'node:crypto';
import { ReferralInput } from '../../schemas/referral.js';
import { DATA_CATEGORIES, PURPOSES, SERVICES, type DataCategory } from '../../schemas/vocabulary.js';
import { zodProblems } from '../problem.js';

/**
 * The referral form's fields, and the `ReferralInput` they stand for: one translation, used by
 * the preview and the send alike, so what was previewed is what is sent. The form is plain HTML
 * (no script), so every value arrives as a string and is kept as typed for the re-rendered form.
 */

/** Sections typed as free text: every category of the case file but `identity`, which comes from the enrolment record. */
export const TEXT_SECTIONS = DATA_CATEGORIES.filter((c) => c !== 'identity');
/** The key a typed section is stored under (the schema's sections are free-form fields). */
export const SECTION_FIELD = 'summary';
/** Note slots shown when none is filled; one blank slot more is shown after the filled ones. */
export const NOTE_SLOTS = 3;
const MAX_NOTES = 50;

export type FormValues = Record<string, string>;

export const sectionField = (category: string) => `section-${category}`;
export const noteCategoryField = (i: number) => `note-${i}-category`;
export const noteTextField = (i: number) => `note-${i}-text`;

/** How many note slots the values use (filled or not), so re-rendering never drops one. */
export function noteSlots(values: FormValues): number {
  let used = 0;
  for (let i = 0; i < MAX_NOTES; i++) if ((values[noteTextField(i)] ?? '').trim() || values[noteCategoryField(i)]) used = i + 1;
  return Math.min(MAX_NOTES, Math.max(NOTE_SLOTS, used + 1));
}

/** The participant's identity as enrolled: what the identity section sends when ticked. */
export interface EnrolledIdentity {
  name: { given: string[]; family: string };
  birthDate: string;
}

export type Parsed = { ok: true; input: ReferralInput; fingerprint: string } | { ok: false; errors: Record<string, string> };

const FIELD_OF_PATH: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^caseFile\.notes\.(\d+)\.text/, (m) => noteTextField(Number(m[1]))],
  [/^caseFile\.notes\.(\d+)/, (m) => noteCategoryField(Number(m[1]))],
  [/^caseFile\.identity/, () => 'identity'],
  [/^caseFile\.([a-z_]+)/, (m) => sectionField(m[1]!)],
  [/^([A-Za-z]+)/, (m) => m[1]!],
];

/** The schema's error, on the form field that holds the value. */
function fieldOf(path: string): string {
  for (const [pattern, name] of FIELD_OF_PATH) {
    const m = path.match(pattern);
    if (m) return name(m);
  }
  return 'form';
}

/**
 * The form as a `ReferralInput`, validated by the same schema as `POST /v1/referrals`. Blank
 * sections and notes are not sent. Errors are keyed by form field, in words.
 */
export function parseReferralForm(values: FormValues, identity: EnrolledIdentity): Parsed {
  const errors: Record<string, string> = {};
  const text = (name: string) => (values[name] ?? '').trim();
  if (!text('partnerId')) errors.partnerId = 'Choose the partner to refer to.';
  if (!(SERVICES as readonly string[]).includes(text('service'))) errors.service = 'Choose the service the participant needs.';
  if (!(PURPOSES as readonly string[]).includes(text('purpose'))) errors.purpose = 'Choose why the partner needs the information.';
  if (!text('reason')) errors.reason = 'Say why the participant is referred.';

  const caseFile: Record<string, unknown> = {};
  if (values.identity === 'include') caseFile.identity = { name: identity.name, birthDate: identity.birthDate };
  for (const category of TEXT_SECTIONS) {
    const typed = text(sectionField(category));
    if (typed) caseFile[category] = { [SECTION_FIELD]: typed };
  }
  const notes: { category: DataCategory; text: string }[] = [];
  const slotOf: number[] = [];
  for (let i = 0; i < noteSlots(values); i++) {
    const note = text(noteTextField(i));
    if (!note) continue;
    const category = values[noteCategoryField(i)] ?? '';
    if (!(DATA_CATEGORIES as readonly string[]).includes(category)) {
      errors[noteCategoryField(i)] = 'Say what this note is about: it is shared only where its category is.';
      continue;
    }
    notes.push({ category: category as DataCategory, text: note });
    slotOf.push(i);
  }
  if (notes.length) caseFile.notes = notes;

  const candidate = {
    participantId: text('participantId'), partnerId: text('partnerId'), service: text('service'), purpose: text('purpose'),
    priority: values.priority === 'urgent' ? 'urgent' : 'routine', reason: text('reason'), caseFile,
  };
  const parsed = ReferralInput.safeParse(candidate);
  if (!parsed.success) {
    for (const p of zodProblems(parsed.error, 'form')) {
      // A note's index in the input is not its slot on the form (blank slots are skipped).
      const field = fieldOf(p.path.replace(/^caseFile\.notes\.(\d+)/, (_, i: string) => `caseFile.notes.${slotOf[Number(i)] ?? i}`));
      errors[field] ??= p.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, input: parsed.data, fingerprint: fingerprintOf(parsed.data) };
}

/**
 * What the preview was computed on: the send compares it with what it is about to send, so
 * nothing changed after the preview goes out unseen. Built from the parsed input, whose key
 * order is the form's own, never from the raw post.
 */
export const fingerprintOf = (input: ReferralInput) => createHash('sha256').update(JSON.stringify(input)).digest('base64url');
