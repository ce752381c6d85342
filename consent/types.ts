import type { BasisKind, DataCategory, OrganizationKind, Purpose } from '../schemas/vocabulary.js';

/**
 * The consent model, after FHIR R4 Consent: a root provision (the base rule) whose nested
 * provisions are exceptions to their parent. An absent list matches everything.
 */
export interface ProvisionActor {
  /** Absent means recipient. */
  role?: 'recipient' | 'source';
  organizationId?: string;
  organizationKind?: OrganizationKind;
}

export interface Period {
  start: string; // RFC 3339
  end?: string | undefined;
}

export interface Provision {
  type: 'permit' | 'deny';
  actors?: ProvisionActor[] | undefined;
  purposes?: Purpose[] | undefined;
  categories?: DataCategory[] | undefined;
  period?: Period | undefined;
  provisions?: Provision[] | undefined;
}

export interface Signature {
  signer: 'participant' | 'guardian';
  name: string;
  relationship?: string | undefined;
  signedAt: string;
  method: 'electronic' | 'wet' | 'verbal_witnessed';
}

/** One legal basis as the decision engine sees it: already loaded, never a database handle. */
export interface Basis {
  id: string;
  participantId: string;
  basis: BasisKind;
  /** Stored status; `revoked` bases permit nothing. Expiry is judged from `period` at decision time. */
  status: 'active' | 'revoked' | 'expired';
  period: Period;
  signatures: Signature[];
  documentRef?: string | undefined;
  provision: Provision;
  revokedAt?: string | undefined;
}

export interface OrganizationRef {
  id: string;
  kind: OrganizationKind;
  name?: string | undefined;
  part2Program?: boolean | undefined;
}

/** Which way the data flows: to the partner (referral) or back to the referrer (status from a partner). */
export interface DecisionRequest {
  /** `guardians`, when known, lets a denial name whose signature is missing. */
  participant: { id: string; birthDate: string; guardians?: string[] | undefined };
  recipient: OrganizationRef;
  /** The organisation whose information this is, when it is not the hub's own case file (status back). */
  source?: OrganizationRef | undefined;
  purpose: Purpose;
  at: Date;
}

/** Minor policy: categories a minor may consent to alone, from an age. */
export interface MinorPolicy {
  adultAge: number;
  /** e.g. { substance_use: 12 }: from that age the minor's own signature suffices for that category. */
  selfConsentFromAge: Partial<Record<DataCategory, number>>;
}

export interface Obligation {
  code: string;
  text: string;
}

export interface Decision {
  request: DecisionRequest;
  permitted: DataCategory[];
  denied: { category: DataCategory; reason: string }[];
  /** For each permitted category, the ids of the bases that permit it. */
  bases: Partial<Record<DataCategory, string[]>>;
  obligations: Obligation[];
}
