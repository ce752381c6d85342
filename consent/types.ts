import type { BasisKind, DataCategory, OrganizationKind, Purpose } from '../schemas/vocabulary.js';

/** The consent model is the wire model: one definition, in schemas/consent.ts. */
export type { Period, Provision, ProvisionActor, Signature } from '../schemas/consent.js';
import type { Period, Provision, Signature } from '../schemas/consent.js';

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
