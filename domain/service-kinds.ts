import type { OrganizationKind, Service } from '../schemas/vocabulary.js';

/**
 * Which kinds of organisation provide each service, for the planner's partner directory. A
 * service no specialised kind covers is offered by `other` organisations; every kind may also
 * be chosen by listing all partners. Referring kinds (probation, courts) are never partners here.
 */
export const PROVIDER_KINDS: Readonly<Record<Service, readonly OrganizationKind[]>> = {
  mental_health: ['mental_health', 'behavioral_health'],
  substance_use: ['sud_treatment', 'behavioral_health'],
  housing: ['housing'],
  employment: ['employment'],
  education: ['education'],
  medical: ['medical'],
  peer_support: ['peer_support'],
  family: ['behavioral_health', 'other'],
  benefits: ['other'],
  legal: ['other'],
  transportation: ['other'],
  other: ['other'],
};

/** Kinds that send referrals rather than receive them. */
export const REFERRING_KINDS: readonly OrganizationKind[] = ['probation', 'juvenile_justice', 'court'];
