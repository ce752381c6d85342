import { z } from '@hono/zod-openapi';

/** The vocabularies of API.md. They are fixed by the public contract: add, never rename. */

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
export const DataCategory = z.enum(DATA_CATEGORIES).openapi('DataCategory');
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
export const OrganizationKind = z.enum(ORGANIZATION_KINDS).openapi('OrganizationKind');
export type OrganizationKind = z.infer<typeof OrganizationKind>;

export const PURPOSES = ['treatment', 'care_coordination', 'court_reporting', 'payment'] as const;
export const Purpose = z.enum(PURPOSES).openapi('Purpose');
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
export const Service = z.enum(SERVICES).openapi('Service');
export type Service = z.infer<typeof Service>;

export const ROLES = ['admin', 'planner', 'partner', 'compliance'] as const;
export const Role = z.enum(ROLES).openapi('Role');
export type Role = z.infer<typeof Role>;

export const BASIS_KINDS = ['consent', 'court_order', 'statute'] as const;
export const BasisKind = z.enum(BASIS_KINDS).openapi('BasisKind');
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
export const ReferralStatus = z.enum(REFERRAL_STATUSES).openapi('ReferralStatus');
export type ReferralStatus = z.infer<typeof ReferralStatus>;
