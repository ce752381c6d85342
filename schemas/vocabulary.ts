import { z } from '@hono/zod-openapi';

/** The vocabularies of the public API (docs/api.md). They are fixed by the public contract: add, never rename. */

export const DATA_CATEGORIES = [
  'identity',
  'contact',
  'demographics',
  'justice',
  'risk_assessment',
  'mental_health',
  'substance_use',
  'medical',
  'education',
  'employment',
  'housing',
  'family',
] as const;
export const DataCategory = z.enum(DATA_CATEGORIES).openapi('DataCategory', {
  description:
    'A section of the case file, and the unit consent is given in: a consent permits or denies categories, and a partner receives only the sections (and the notes) of the categories it is permitted. ' +
    '`substance_use` is 42 CFR Part 2 data: it travels with the redisclosure notice.',
});
export type DataCategory = z.infer<typeof DataCategory>;

export const ORGANIZATION_KINDS = [
  'probation',
  'juvenile_justice',
  'mental_health',
  'sud_treatment',
  'behavioral_health',
  'housing',
  'employment',
  'education',
  'medical',
  'peer_support',
  'court',
  'other',
] as const;
export const OrganizationKind = z.enum(ORGANIZATION_KINDS).openapi('OrganizationKind', {
  description: 'What kind of organisation it is. A consent may name a kind instead of an organisation (`{"organizationKind": "housing"}` reaches every housing provider).',
});
export type OrganizationKind = z.infer<typeof OrganizationKind>;

export const PURPOSES = ['treatment', 'care_coordination', 'court_reporting', 'payment'] as const;
export const Purpose = z.enum(PURPOSES).openapi('Purpose', {
  description: 'Why the data is disclosed: `treatment`, `care_coordination` (arranging services around the participant), `court_reporting` (reports to a court or supervising officer), `payment`. Consents permit purposes; a referral states one.',
});
export type Purpose = z.infer<typeof Purpose>;

export const SERVICES = [
  'mental_health',
  'substance_use',
  'housing',
  'employment',
  'education',
  'medical',
  'peer_support',
  'family',
  'benefits',
  'legal',
  'transportation',
  'other',
] as const;
export const Service = z.enum(SERVICES).openapi('Service', { description: 'The service the participant is referred for.' });
export type Service = z.infer<typeof Service>;

export const ROLES = ['admin', 'planner', 'partner', 'compliance', 'manager'] as const;
export const Role = z.enum(ROLES).openapi('Role', {
  description: 'The role a client was registered with; it decides which operations the client may call (each operation’s description says which): `admin` (organisations and clients), `planner` (participants and referrals of its organisation), `partner` (referrals delivered to its organisation), `compliance` (consents, disclosures, audit), `manager` (a program manager: targets and aggregate indicators, never a participant’s data).',
});
export type Role = z.infer<typeof Role>;

export const BASIS_KINDS = ['consent', 'court_order', 'statute'] as const;
export const BasisKind = z.enum(BASIS_KINDS).openapi('BasisKind', {
  description: 'The legal ground of a basis: the participant’s `consent` (needs signatures), a `court_order` or a `statute` (both need a `documentRef`).',
});
export type BasisKind = z.infer<typeof BasisKind>;

export const REFERRAL_STATUSES = [
  'awaiting_consent',
  'queued',
  'delivered',
  'received',
  'accepted',
  'rejected',
  'in_progress',
  'on_hold',
  'completed',
  'failed',
  'cancelled',
  'delivery_failed',
] as const;
export const ReferralStatus = z.enum(REFERRAL_STATUSES).openapi('ReferralStatus', {
  description:
    'Where a referral stands. Set by the hub: `awaiting_consent` (no basis yet lets the partner see the participant), `queued`, `delivered`, `delivery_failed` (every attempt failed; replay it). ' +
    'Reported by the partner: `received`, `accepted`, `rejected`, `in_progress`, `on_hold`, `completed`, `failed`. Set by the planner: `cancelled`.',
});
export type ReferralStatus = z.infer<typeof ReferralStatus>;

/** Events a partner or planner may post (POST /v1/referrals/{id}/events); domain/referral-workflow.ts says what each does. */
export const PARTNER_STATUS_EVENTS = ['received', 'accepted', 'rejected', 'in_progress', 'on_hold', 'completed', 'failed', 'resumed'] as const;
export const ENGAGEMENT_EVENTS = ['intake_scheduled', 'attended', 'no_show', 'progress_note'] as const;
export const PLANNER_EVENTS = ['cancelled'] as const;
export const POSTABLE_EVENTS = [...PARTNER_STATUS_EVENTS, ...ENGAGEMENT_EVENTS, ...PLANNER_EVENTS] as const;
export type PostableEvent = (typeof POSTABLE_EVENTS)[number];

/**
 * The code of the 42 CFR 2.32 redisclosure notice, as decisions, projections and the wire carry
 * it (`notices[].code`, `obligations[].code`). Here, at the bottom, so the wire schemas' docs and
 * the consent engine read the same value.
 */
export const PART2_NOTICE_CODE = '42CFR2.32';
