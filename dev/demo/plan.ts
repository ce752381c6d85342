import type { Service } from '../../schemas/vocabulary.js';
import { LEAD_AGENCIES, PROVIDERS, REASONS, SERVICE_WEIGHTS, type LeadAgency, type Provider } from './network.js';
import { person, type DemoPerson } from './people.js';
import { Random } from './random.js';

/**
 * What the demo does for participant number `n`, decided once and the same on every run: who
 * refers them, which consents they signed (or which court ordered what), which partners they are
 * referred to, and how each partner's side of the story goes.
 */

/** The shapes of legal basis the demo records (a participant may have one or two). */
export type ConsentShape =
  | 'two_way' // the ordinary referral consent: what may go out, and what may come back
  | 'court_order' // a judge's order to share for supervision, no signature
  | 'revoked' // signed, then withdrawn in writing after the referrals
  | 'expired' // signed for a period that has ended: referrals wait for a new one
  | 'none'; // nothing signed yet: referrals wait

export interface Step {
  type: 'received' | 'accepted' | 'rejected' | 'intake_scheduled' | 'attended' | 'no_show' | 'in_progress' | 'progress_note' | 'on_hold' | 'completed' | 'failed' | 'cancelled';
  /** `cancelled` is the planner's; every other step is the partner's. */
  by: 'partner' | 'planner';
  reason?: string;
}

export interface PathPlan {
  name: string;
  steps: Step[];
}

export interface ReferralPlan {
  /** The referral's place in the participant's plan: with the participant, its idempotency key. */
  index: number;
  service: Service;
  provider: Provider;
  purpose: 'treatment' | 'care_coordination';
  priority: 'routine' | 'urgent';
  reason: string;
  path: PathPlan;
}

export interface ParticipantPlan {
  n: number;
  person: DemoPerson;
  agency: LeadAgency;
  consent: ConsentShape;
  /** Whether a Part 2 program's reports may reach the referrer (the 42 CFR 2.35 consent). */
  part2ReportsBack: boolean;
  referrals: ReferralPlan[];
}

const p = (type: Step['type'], reason?: string): Step => ({ type, by: 'partner', ...(reason ? { reason } : {}) });
const ENGAGED = [p('received'), p('accepted'), p('intake_scheduled'), p('attended'), p('in_progress'), p('progress_note')];

/** How a partner's side of a referral goes, with how often; about six in ten reach services. */
export const PATHS: Readonly<Record<string, { weight: number; steps: Step[] }>> = {
  completed: { weight: 30, steps: [...ENGAGED, p('completed')] },
  engaged: { weight: 22, steps: ENGAGED },
  no_show: { weight: 8, steps: [p('received'), p('accepted'), p('intake_scheduled'), p('no_show')] },
  scheduled: { weight: 5, steps: [p('received'), p('accepted'), p('intake_scheduled')] },
  received: { weight: 4, steps: [p('received')] },
  // Nobody at the partner has opened it: the acknowledgement timer runs out.
  unacknowledged: { weight: 5, steps: [] },
  rejected: { weight: 6, steps: [p('received'), p('rejected', 'No openings this quarter; waitlist closed')] },
  ineligible: { weight: 4, steps: [p('rejected', 'Outside our service area')] },
  failed: { weight: 5, steps: [p('received'), p('accepted'), p('intake_scheduled'), p('attended'), p('in_progress'), p('failed', 'Stopped attending after three sessions')] },
  on_hold: { weight: 4, steps: [p('received'), p('accepted'), p('in_progress'), p('on_hold', 'Participant in custody on a warrant')] },
  cancelled: { weight: 4, steps: [p('received'), { type: 'cancelled', by: 'planner', reason: 'Participant moved out of the county' }] },
};

const pathWeights = Object.fromEntries(Object.entries(PATHS).map(([name, path]) => [name, path.weight]));

export function planFor(n: number, today: Date): ParticipantPlan {
  const who = person(n, today);
  const rnd = new Random(`plan-${n}`);
  const agency = LEAD_AGENCIES.find((a) => a.key === (who.minor ? 'juvenile' : 'probation'))!;
  const ageGroup = who.minor ? 'minors' : 'adults';
  const consent: ConsentShape = rnd.weighted({ two_way: 72, court_order: 10, revoked: 6, expired: 6, none: 6 });

  const wanted = rnd.weighted({ 1: 50, 2: 35, 3: 15 });
  const services = new Set<Service>();
  for (let i = 0; i < Number(wanted) * 3 && services.size < Number(wanted); i++) services.add(rnd.weighted(SERVICE_WEIGHTS[ageGroup]));

  const referrals: ReferralPlan[] = [];
  for (const service of services) {
    const candidates = PROVIDERS.filter((x) => x.service === service && (!x.serves || x.serves === ageGroup));
    if (candidates.length === 0) continue;
    const provider = rnd.pick(candidates);
    const pathName = rnd.weighted(pathWeights);
    referrals.push({
      index: referrals.length,
      service,
      provider,
      purpose: ['mental_health', 'substance_use', 'medical'].includes(service) ? 'treatment' : 'care_coordination',
      priority: rnd.chance(0.15) ? 'urgent' : 'routine',
      reason: rnd.pick(REASONS[service] ?? ['Referred under the supervision plan']),
      path: { name: pathName, steps: PATHS[pathName]!.steps },
    });
  }
  return { n, person: who, agency, consent, part2ReportsBack: rnd.chance(0.7), referrals };
}
