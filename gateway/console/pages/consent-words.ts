import type { BasisKind, DataCategory, OrganizationKind, Purpose } from '../../../schemas/vocabulary.js';

/**
 * The consent vocabulary in the words a participant reads on the form and signs on paper
 * (42 CFR 2.31(a)(3): "how much and what kind of information", described explicitly).
 */
export const CATEGORY_WORDS: Record<DataCategory, { label: string; hint: string }> = {
  identity: { label: 'Identity', hint: 'name, date of birth, identifiers' },
  contact: { label: 'Contact details', hint: 'phone, address, guardian contact' },
  demographics: { label: 'Demographics', hint: 'gender, race and ethnicity, language' },
  justice: { label: 'Justice involvement', hint: 'supervision level, court conditions, charges, supervising officer' },
  risk_assessment: { label: 'Risk and needs assessments', hint: 'assessment scores and summaries' },
  mental_health: { label: 'Mental health', hint: 'diagnoses, treatment, trauma screenings' },
  substance_use: { label: 'Substance use disorder information', hint: 'substance use assessments, diagnosis, treatment, attendance and progress; protected by 42 CFR Part 2' },
  medical: { label: 'Physical health', hint: 'medical conditions, medications' },
  education: { label: 'Education', hint: 'school enrolment and records (FERPA)' },
  employment: { label: 'Employment', hint: 'work history, current job' },
  housing: { label: 'Housing', hint: 'housing situation and needs' },
  family: { label: 'Family', hint: 'household and family circumstances' },
};

/**
 * Each vocabulary once, in its two forms: `label`, the short name a table cell or a select shows,
 * and `words`, what a consent form spells out for the participant to read and sign.
 */
const PURPOSE_NAMES: Record<Purpose, { label: string; words: string }> = {
  treatment: { label: 'Treatment', words: 'Treatment' },
  care_coordination: { label: 'Care coordination', words: 'Coordinating services and care' },
  court_reporting: { label: 'Court reporting', words: 'Reports to the court or supervising officer' },
  payment: { label: 'Payment', words: 'Payment for services' },
};

const BASIS_NAMES: Record<BasisKind, { label: string; words: string }> = {
  consent: { label: 'Consent', words: 'The participant’s written consent' },
  court_order: { label: 'Court order', words: 'A court order' },
  statute: { label: 'Statute', words: 'A statute' },
};

const form = <K extends string>(names: Record<K, { label: string; words: string }>, which: 'label' | 'words') =>
  Object.fromEntries(Object.entries<{ label: string; words: string }>(names).map(([k, v]) => [k, v[which]])) as Record<K, string>;

export const PURPOSE_WORDS = form(PURPOSE_NAMES, 'words');
export const PURPOSE_LABELS = form(PURPOSE_NAMES, 'label');
export const BASIS_WORDS = form(BASIS_NAMES, 'words');
export const BASIS_LABELS = form(BASIS_NAMES, 'label');
/** A basis as a table names it; one the vocabulary does not know keeps its code. */
export const basisLabel = (basis: string) => (BASIS_LABELS as Record<string, string>)[basis] ?? basis;

export const KIND_WORDS: Record<OrganizationKind, string> = {
  probation: 'Probation departments',
  juvenile_justice: 'Juvenile justice agencies',
  mental_health: 'Mental health providers',
  sud_treatment: 'Substance use treatment programs',
  behavioral_health: 'Behavioural health providers',
  housing: 'Housing providers',
  employment: 'Employment services',
  education: 'Schools and education services',
  medical: 'Medical providers',
  peer_support: 'Peer support services',
  court: 'Courts',
  other: 'Other organisations',
};

export const METHOD_WORDS = { wet: 'Signed on paper', electronic: 'Signed electronically', verbal_witnessed: 'Verbal, witnessed' } as const;

/** `2026-12-01T00:00:00.000Z` → `1 December 2026`: what a person reads on a form. */
export function dayOf(instant: string): string {
  return new Date(instant).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

export const list = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
