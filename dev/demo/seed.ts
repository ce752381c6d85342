import type { HubClient } from '../hub-client.js';
import { readsInbox } from './network.js';
import type { ParticipantPlan, ReferralPlan } from './plan.js';
import { advanceViaApi, takeOn, type PartnerContext } from './partners.js';
import { caseFileFor, consentsFor } from './records.js';
import type { Tracker } from './tracker.js';
import type { DemoClients, Organisations } from './world.js';

/**
 * One participant through the planner's and the compliance officer's API: enrolled (or found
 * again by the agency's own id), their consents recorded (found again by the signed form's
 * reference), their referrals sent (found again by partner and service, and sent with an
 * Idempotency-Key). Referrals the partners still have to act on go to the tracker.
 */

export interface SeedCounts {
  participantsCreated: number;
  participantsFound: number;
  consentsCreated: number;
  referralsCreated: number;
  referralsFound: number;
}

export const zeroCounts = (): SeedCounts => ({ participantsCreated: 0, participantsFound: 0, consentsCreated: 0, referralsCreated: 0, referralsFound: 0 });

/** A consent to revoke once its referrals have run their course. */
export interface PendingRevocation {
  consentId: string;
  reason: string;
  agency: ParticipantPlan['agency']['key'];
}

interface ReferralView { id: string; status: string; partnerId: string; service: string }

export async function seedParticipant(
  api: HubClient, clients: DemoClients, orgs: Organisations, tracker: Tracker, partners: PartnerContext,
  plan: ParticipantPlan, today: Date, counts: SeedCounts, revocations: PendingRevocation[],
): Promise<void> {
  const planner = await clients.planner(plan.agency.key, plan.n);
  const compliance = await clients.compliance(plan.agency.key);

  const found = await api.call<{ items: { id: string }[] }>('GET', `/v1/participants?externalId=${encodeURIComponent(plan.person.externalId)}&limit=1`, planner, undefined, 200);
  let participantId = found.items[0]?.id;
  // Someone just enrolled has no consents or referrals yet: nothing to look up.
  const isNew = !participantId;
  if (participantId) counts.participantsFound++;
  else {
    participantId = (await api.call<{ id: string }>('POST', '/v1/participants', planner, plan.person.input, 201)).id;
    counts.participantsCreated++;
  }

  const partnerId = (r: ReferralPlan) => orgs.ids.get(r.provider.key)!;
  const planned = consentsFor(plan, { referrer: orgs.ids.get(plan.agency.key)!, partner: partnerId }, today);
  // Someone enrolled by an earlier run: what it recorded and sent, both looked up at once.
  const [recorded, existing] = await Promise.all([
    isNew || planned.length === 0 ? [] : api.call<{ items: { id: string; documentRef?: string; status: string }[] }>('GET', `/v1/consents?participantId=${participantId}`, compliance, undefined, 200).then((page) => page.items),
    isNew || plan.referrals.length === 0 ? [] : api.call<{ items: ReferralView[] }>('GET', `/v1/referrals?participantId=${participantId}&limit=200`, planner, undefined, 200).then((page) => page.items),
  ]);

  // Before the referrals: a referral sent without its consent waits for one.
  for (const consent of planned) {
    let record = recorded.find((c) => c.documentRef === consent.documentRef);
    if (!record) {
      record = await api.call<{ id: string; status: string }>('POST', '/v1/consents', compliance, { ...consent.body, participantId }, 201);
      counts.consentsCreated++;
    }
    if (consent.revokeAfter && record.status === 'active') revocations.push({ consentId: record.id, reason: consent.revokeAfter, agency: plan.agency.key });
  }

  // The participant's referrals go to different partners and depend on nothing but the consent: sent at once.
  await Promise.all(plan.referrals.map(async (r) => {
    const sent = existing.find((x) => x.partnerId === partnerId(r) && x.service === r.service);
    if (sent) {
      counts.referralsFound++;
      resume(tracker, partners, plan, r, await asThePartnerSeesIt(partners, r, sent));
      return;
    }
    const created = await api.call<ReferralView>('POST', '/v1/referrals', planner, {
      participantId, partnerId: partnerId(r), service: r.service, purpose: r.purpose, priority: r.priority, reason: r.reason, caseFile: caseFileFor(plan, r),
    }, 201, { 'idempotency-key': `demo-${plan.person.externalId}-${r.index}` });
    counts.referralsCreated++;
    // Waiting for consent, or for an endpoint that is gone: nothing for the partner to do.
    if (created.status !== 'queued' || r.provider.endpoint === 'gone') return;
    tracker.add({ referralId: created.id, participant: plan, referral: r });
    if (tracker.toldBeforeTracked(created.id)) takeOn(partners, created.id);
  }));
}

/**
 * Where a referral the planner sees as `delivered` really stands: a Part 2 program's progress
 * is withheld from the referrer unless a consent lets the program report back, so the
 * planner's `delivered` may be a referral long since taken on. The partner always sees its own.
 */
async function asThePartnerSeesIt(partners: PartnerContext, r: ReferralPlan, sent: ReferralView): Promise<ReferralView> {
  if (sent.status !== 'delivered' || r.provider.endpoint === 'gone') return sent;
  const token = await partners.partnerToken(r.provider.key);
  const seen = await partners.limit(() => partners.api.call<ReferralView>('GET', `/v1/referrals/${sent.id}`, token, undefined, 200));
  return { ...sent, status: seen.status };
}

/**
 * A referral a run before sent. Still on its way: its partner takes it on when it arrives.
 * Delivered but untouched (a run stopped before the partner acted) to a webhook or FHIR partner,
 * whose message or Task this run will not see again: the partner answers through the API. A
 * portal partner finds it in its inbox either way. Anything further along is left as it is.
 */
function resume(tracker: Tracker, partners: PartnerContext, plan: ParticipantPlan, r: ReferralPlan, sent: ReferralView): void {
  if (r.provider.endpoint === 'gone' || r.path.steps.length === 0) return;
  if (sent.status === 'queued' || (sent.status === 'delivered' && readsInbox(r.provider))) {
    tracker.add({ referralId: sent.id, participant: plan, referral: r });
    return;
  }
  if (sent.status !== 'delivered') return;
  const t = tracker.add({ referralId: sent.id, participant: plan, referral: r });
  tracker.handOver(sent.id);
  void advanceViaApi(partners, t).catch((error: Error) => tracker.settle(t, error.message));
}
