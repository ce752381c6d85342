import type { OrganizationKind, Service } from '../../schemas/vocabulary.js';

/**
 * The demo's county reentry network, as data: two lead agencies that refer, and about thirty
 * community providers across the services a reentry or juvenile-justice case plan draws on, each
 * reached the way small and large partners really are: a signed webhook, its own FHIR server, or
 * the hub's web inbox. Every name is invented.
 */

/**
 * How a partner is reached. The demo plays the partners, so unlike the hub it must speak each
 * kind's protocol: each kind's part is found through these lists, never by comparing names.
 */
export const ADAPTER_KINDS = ['webhook', 'fhir', 'portal'] as const;
export type AdapterKind = (typeof ADAPTER_KINDS)[number];

export interface LeadAgency {
  key: 'probation' | 'juvenile';
  name: string;
  kind: Extract<OrganizationKind, 'probation' | 'juvenile_justice'>;
  /** The e-mail domain of its staff accounts. */
  domain: string;
}

export const LEAD_AGENCIES: readonly LeadAgency[] = [
  { key: 'probation', name: 'Harbor County Probation Department', kind: 'probation', domain: 'probation.harbor-county.example' },
  { key: 'juvenile', name: 'Region 3 Office of Juvenile Justice', kind: 'juvenile_justice', domain: 'ojj-region3.example' },
];

export interface Provider {
  key: string;
  name: string;
  kind: OrganizationKind;
  service: Service;
  adapter: AdapterKind;
  /** A 42 CFR Part 2 program: what it reports is substance-use information. */
  part2?: boolean;
  /** Takes referrals of minors only (youth programs), or adults only; both when absent. */
  serves?: 'minors' | 'adults';
  /**
   * How its webhook endpoint behaves: `gone` answers 410 (an endpoint the partner retired, so
   * deliveries fail for good and wait for a planner's replay). Default: a working partner.
   */
  endpoint?: 'gone';
  /** Hours to acknowledge and days to first contact, when the county contracted for them. */
  sla?: { acknowledgeWithinHours?: number; firstContactWithinDays?: number };
}

/** The providers reached one way. */
export const providersOf = (kind: AdapterKind): Provider[] => PROVIDERS.filter((p) => p.adapter === kind);

/** Whether the partner reads the hub's inbox (nothing is pushed to it), rather than being pushed to. */
export const readsInbox = (p: Provider): boolean => INBOX_READERS.has(p.adapter);
const INBOX_READERS: ReadonlySet<AdapterKind> = new Set<AdapterKind>(['portal']);

const CONTRACT_SLA = { acknowledgeWithinHours: 48, firstContactWithinDays: 14 };

export const PROVIDERS: readonly Provider[] = [
  // Mental health
  { key: 'bayview-mh', name: 'Bayview Community Mental Health', kind: 'mental_health', service: 'mental_health', adapter: 'fhir', sla: CONTRACT_SLA },
  { key: 'northgate-bh', name: 'Northgate Behavioral Health', kind: 'behavioral_health', service: 'mental_health', adapter: 'webhook', sla: CONTRACT_SLA },
  { key: 'sunrise-youth', name: 'Sunrise Youth and Family Counseling', kind: 'mental_health', service: 'mental_health', adapter: 'portal', serves: 'minors', sla: CONTRACT_SLA },
  { key: 'eastlake-trauma', name: 'Eastlake Trauma Recovery Center', kind: 'mental_health', service: 'mental_health', adapter: 'webhook', serves: 'adults' },
  { key: 'valley-crisis', name: 'Valley Crisis and Wellness Clinic', kind: 'behavioral_health', service: 'mental_health', adapter: 'portal', serves: 'adults', sla: { acknowledgeWithinHours: 24 } },
  // Substance-use treatment: federally assisted programs under 42 CFR Part 2
  { key: 'new-horizons', name: 'New Horizons Recovery Services', kind: 'sud_treatment', service: 'substance_use', adapter: 'fhir', part2: true, serves: 'adults', sla: CONTRACT_SLA },
  { key: 'riverbend-outpatient', name: 'Riverbend Outpatient Addiction Services', kind: 'sud_treatment', service: 'substance_use', adapter: 'webhook', part2: true, serves: 'adults', sla: CONTRACT_SLA },
  { key: 'clearwater-mat', name: 'Clearwater Medication-Assisted Treatment', kind: 'sud_treatment', service: 'substance_use', adapter: 'portal', part2: true, serves: 'adults' },
  { key: 'teen-recovery', name: 'Teen Recovery Alliance', kind: 'sud_treatment', service: 'substance_use', adapter: 'portal', part2: true, serves: 'minors', sla: CONTRACT_SLA },
  // Housing
  { key: 'harbor-housing', name: 'Harbor Housing Collaborative', kind: 'housing', service: 'housing', adapter: 'webhook', serves: 'adults', sla: CONTRACT_SLA },
  { key: 'second-chance', name: 'Second Chance Residences', kind: 'housing', service: 'housing', adapter: 'portal', serves: 'adults', sla: CONTRACT_SLA },
  { key: 'maple-street', name: 'Maple Street Transitional Housing', kind: 'housing', service: 'housing', adapter: 'webhook', serves: 'adults', sla: { acknowledgeWithinHours: 72 } },
  { key: 'safe-harbor', name: 'Safe Harbor Family Shelter', kind: 'housing', service: 'housing', adapter: 'portal' },
  { key: 'keystone-rehousing', name: 'Keystone Rapid Rehousing', kind: 'housing', service: 'housing', adapter: 'webhook', serves: 'adults', sla: CONTRACT_SLA },
  // Employment
  { key: 'pathways-work', name: 'Pathways to Work', kind: 'employment', service: 'employment', adapter: 'webhook', serves: 'adults', sla: CONTRACT_SLA },
  { key: 'second-shift', name: 'Second Shift Career Center', kind: 'employment', service: 'employment', adapter: 'portal', serves: 'adults' },
  { key: 'trades-apprenticeship', name: 'Trades Apprenticeship Partnership', kind: 'employment', service: 'employment', adapter: 'webhook', serves: 'adults', sla: CONTRACT_SLA },
  { key: 'fresh-start', name: 'Fresh Start Staffing', kind: 'employment', service: 'employment', adapter: 'portal', serves: 'adults' },
  { key: 'youth-jobs', name: 'Youth Jobs Corps', kind: 'employment', service: 'employment', adapter: 'portal', serves: 'minors', sla: CONTRACT_SLA },
  // Medical
  { key: 'harbor-health', name: 'Harbor County Health Center', kind: 'medical', service: 'medical', adapter: 'fhir', sla: CONTRACT_SLA },
  { key: 'westside-clinic', name: 'Westside Family Clinic', kind: 'medical', service: 'medical', adapter: 'fhir' },
  { key: 'street-medicine', name: 'Mobile Street Medicine', kind: 'medical', service: 'medical', adapter: 'portal', serves: 'adults' },
  // Peer support
  { key: 'lived-experience', name: 'Lived Experience Peer Network', kind: 'peer_support', service: 'peer_support', adapter: 'portal', serves: 'adults' },
  { key: 'reentry-mentors', name: 'Reentry Mentors Coalition', kind: 'peer_support', service: 'peer_support', adapter: 'webhook', serves: 'adults' },
  { key: 'credible-messengers', name: 'Credible Messengers Youth Program', kind: 'peer_support', service: 'peer_support', adapter: 'portal', serves: 'minors' },
  // Legal services
  { key: 'legal-aid', name: 'Community Legal Aid Society', kind: 'other', service: 'legal', adapter: 'portal' },
  { key: 'record-clearance', name: 'Record Clearance Project', kind: 'other', service: 'legal', adapter: 'webhook', serves: 'adults' },
  // Education, benefits, family
  { key: 'adult-education', name: 'Harbor Adult Education and GED Center', kind: 'education', service: 'education', adapter: 'portal' },
  { key: 'benefits-navigation', name: 'Benefits Navigation Hub', kind: 'other', service: 'benefits', adapter: 'webhook', serves: 'adults', endpoint: 'gone' },
  { key: 'family-reunification', name: 'Family Reunification Services', kind: 'other', service: 'family', adapter: 'portal' },
];

/**
 * How often each service appears in a case plan, for adults and for youth: housing and work
 * dominate reentry plans, treatment follows; youth plans lean on counselling, school and family.
 */
export const SERVICE_WEIGHTS: Readonly<Record<'adults' | 'minors', Partial<Record<Service, number>>>> = {
  adults: { housing: 30, employment: 26, mental_health: 15, substance_use: 10, medical: 6, peer_support: 5, legal: 4, education: 1, benefits: 2, family: 1 },
  minors: { mental_health: 30, education: 20, substance_use: 12, peer_support: 14, family: 12, employment: 8, medical: 4 },
};

/** The case-file categories each service needs beyond who the participant is (minimum necessary). */
export const SERVICE_CATEGORIES: Readonly<Partial<Record<Service, readonly string[]>>> = {
  mental_health: ['mental_health', 'risk_assessment'],
  substance_use: ['substance_use', 'risk_assessment'],
  housing: ['housing', 'justice'],
  employment: ['employment', 'education'],
  medical: ['medical'],
  peer_support: ['justice'],
  legal: ['justice'],
  education: ['education'],
  benefits: ['housing', 'employment'],
  family: ['family'],
};

/** Why a planner refers someone for each service (the referral's `reason`). */
export const REASONS: Readonly<Partial<Record<Service, readonly string[]>>> = {
  mental_health: ['Screened positive for depression at intake; needs an assessment', 'Trauma screen indicates follow-up', 'Court-ordered mental-health evaluation', 'Ran out of medication after release'],
  substance_use: ['ASI indicates moderate alcohol use; outpatient treatment', 'Opioid use history; continue medication-assisted treatment after release', 'Condition of supervision: substance-use assessment'],
  housing: ['Released without a stable address', 'Staying with relatives short-term; needs transitional housing', 'Eviction notice this month'],
  employment: ['Looking for full-time work; has forklift experience', 'Needs help with a resume and interview practice', 'Interested in a construction apprenticeship'],
  medical: ['No primary care since release', 'Needs a follow-up for a chronic condition', 'Needs a dental referral'],
  peer_support: ['Asked for a mentor with lived experience', 'Re-entering after a long sentence; peer support requested'],
  legal: ['Wants help clearing an old record', 'Needs advice on a child-support order'],
  education: ['Working toward a high-school equivalency', 'Re-enrolment after detention'],
  benefits: ['Needs help applying for food assistance and health coverage'],
  family: ['Family reunification plan with a guardian', 'Parenting support requested by the family'],
};
