import { floorReadId } from '../floors/tables.js';
import type { ClosedLoopJob, RequestPlan } from '../load/index.js';
import { referralBody } from '../setup/world.js';

/** The closed-loop measurements: each names where it sends what, and what a correct answer is. */
export type ThroughputId = 'B0' | 'R1' | 'B1' | 'R2' | 'B2' | 'B5';

export interface Targets {
  /** The floor apps' origins. */
  bare: string;
  readFloor: string;
  intakeFloor: string;
  floorToken: string;
  floorRows: number;
  /** Hub gateways to spread over. */
  hub: string[];
  tokens: { planner: string; reader: string; compliance: string };
  inboxId: string;
  /** Referrals delivered to the inbox partner (B1 picks at random among them). */
  readableReferralIds: string[];
  /** Participants the planner refers (B2), and the whole population (B5). */
  referredParticipantIds: string[];
  allParticipantIds: string[];
}

export const THROUGHPUT_LABELS: Record<ThroughputId, string> = {
  B0: 'B0 bare Hono, 1 KB JSON',
  R1: 'R1 read floor',
  B1: 'B1 partner read GET /v1/referrals/{id}',
  R2: 'R2 intake floor',
  B2: 'B2 intake POST /v1/referrals (4 KB)',
  B5: 'B5 GET /v1/participants/{id}/access',
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function intakeBodies(participantIds: string[], partnerId: string): string[] {
  return participantIds.slice(0, 50).map((id) => JSON.stringify(referralBody(id, partnerId)));
}

export function planFor(id: ThroughputId, t: Targets): { origins: string[]; plan: RequestPlan } {
  switch (id) {
    case 'B0':
      return { origins: [t.bare], plan: { method: 'GET', paths: ['/json'], headers: {}, expectStatus: 200 } };
    case 'R1':
      return {
        origins: [t.readFloor],
        plan: { method: 'GET', paths: Array.from({ length: t.floorRows }, (_, n) => `/v1/referrals/${floorReadId(n)}`), headers: bearer(t.floorToken), expectStatus: 200 },
      };
    case 'B1':
      return { origins: t.hub, plan: { method: 'GET', paths: t.readableReferralIds.map((r) => `/v1/referrals/${r}`), headers: bearer(t.tokens.reader), expectStatus: 200 } };
    case 'R2':
      return { origins: [t.intakeFloor], plan: { method: 'POST', paths: ['/v1/referrals'], bodies: intakeBodies(t.referredParticipantIds, t.inboxId), headers: bearer(t.floorToken), expectStatus: 201 } };
    case 'B2':
      return { origins: t.hub, plan: { method: 'POST', paths: ['/v1/referrals'], bodies: intakeBodies(t.referredParticipantIds, t.inboxId), headers: bearer(t.tokens.planner), expectStatus: 201 } };
    case 'B5':
      return {
        origins: t.hub,
        plan: { method: 'GET', paths: t.allParticipantIds.map((p) => `/v1/participants/${p}/access?recipient=${t.inboxId}&purpose=care_coordination`), headers: bearer(t.tokens.compliance), expectStatus: 200 },
      };
  }
}

export function closedJob(id: ThroughputId, t: Targets, opts: { connections: number; seconds: number; warmupSeconds: number; origins?: string[] }): ClosedLoopJob {
  const { origins, plan } = planFor(id, t);
  return { kind: 'closed', origins: opts.origins ?? origins, connections: opts.connections, seconds: opts.seconds, warmupSeconds: opts.warmupSeconds, maxRequests: 2_000_000, plan };
}

/**
 * --smoke's assertions: the answer is the right one, not merely a 2xx. A partner read carries
 * what the consent permits and not the substance-use data it denies; an access decision says so.
 */
export function checkSample(id: ThroughputId, sample: unknown): string | undefined {
  const s = sample as Record<string, any> | undefined;
  if (!s) return 'no correct answer at all';
  switch (id) {
    case 'B0':
      return Array.isArray(s.items) && s.items.length === 16 ? undefined : 'the 1 KB payload is missing';
    case 'R1':
      return s.caseFile?.identity ? undefined : 'no decrypted case file';
    case 'B1':
      if (!s.caseFile?.identity || !s.caseFile?.housing) return 'the permitted sections (identity, housing) are missing';
      return 'substance_use' in s.caseFile ? 'substance-use data was disclosed against the consent' : undefined;
    case 'R2':
    case 'B2':
      return typeof s.id === 'string' && s.status === 'queued' ? undefined : `expected a queued referral, got ${JSON.stringify(s).slice(0, 200)}`;
    case 'B5':
      if (!s.permitted?.includes('identity')) return 'identity is not permitted';
      return s.denied?.some((d: { category: string }) => d.category === 'substance_use') ? undefined : 'substance_use is not denied';
  }
}
